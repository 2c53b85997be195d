package io.jrunc.core.security;

import io.jrunc.core.sys.BoundedFile;
import io.jrunc.core.sys.LibSeccomp;
import io.jrunc.spec.Json;
import io.jrunc.spec.LinuxSeccomp;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Compiled seccomp filters by profile. Engines give every container the same profile, and
 * compiling it is the same work each time: for a profile of ~350 syscalls and 3 architectures,
 * libseccomp's own BPF generation alone is ~8.5 ms of C, and a fresh CLI JVM adds loading the
 * library and ~1000 downcalls (a CLI create with such a profile: 97.8 ms compiling it, 75.7
 * from this cache, 64.5 without a profile).
 *
 * <table>
 *   <caption>Where a compiled filter is kept</caption>
 *   <tr><th>where</th><th>for</th><th>bound</th></tr>
 *   <tr><td>this JVM's memory</td><td>an embedder, the shim</td><td>{@value #MEMORY_ENTRIES} profiles</td></tr>
 *   <tr><td>a file in the state root ({@code seccomp@CRC}, never a container id: {@code @} is not
 *       allowed in one)</td><td>the CLI, one JVM per call</td><td>{@value #FILE_ENTRIES} files,
 *       the least recently written removed past that</td></tr>
 * </table>
 *
 * <p>The key is the whole input of the compile: the profile as the spec codec writes it, the
 * libseccomp version, the architecture, the kernel's release and {@link #REVISION}. A lookup
 * compares the whole key (the CRC32 only names the file), so a filter is used only for exactly
 * the input it was compiled from. The file is read with the root's bounds and refusals (no
 * link, no FIFO, at most {@value #FILE_LIMIT} bytes) and replaced atomically; only who can write
 * the state root (root, or the rootless user for their own containers) can write it, the same who
 * can write every container's state. A file that is not readable, not ours or not for this key is
 * ignored and the profile compiled again.
 */
final class SeccompCache {
  private SeccompCache() {}

  /** Bump when the compiler's output for a given input changes (EnosysStub, flags, rules). */
  static final int REVISION = 1;

  static final int MEMORY_ENTRIES = 32;
  static final int FILE_LIMIT = 1 << 20;
  static final int FILE_ENTRIES = 64;
  private static final String MAGIC = "jrunc seccomp cache";

  private static final Map<String, CompiledSeccomp> MEMORY = new LinkedHashMap<>(16, 0.75f, true);
  private static String libVersion;

  /**
   * The compiled filter of {@code s}: from memory, from {@code dir} (null: no file), or compiled
   * now and kept in both.
   */
  static CompiledSeccomp compile(LinuxSeccomp s, Path dir) {
    if (s == null || !LibSeccomp.available() || libVersion() == null) return SeccompCompiler.compile(s);
    String key = key(s);
    CompiledSeccomp c;
    synchronized (MEMORY) {
      c = MEMORY.get(key);
    }
    if (c != null) return c;
    Path file = dir == null ? null : dir.resolve(fileName(key));
    if (file != null) c = read(file, key);
    if (c == null) {
      c = SeccompCompiler.compile(s);
      if (c == null) return null;
      if (file != null) write(file, key, c);
    }
    synchronized (MEMORY) {
      MEMORY.put(key, c);
      if (MEMORY.size() > MEMORY_ENTRIES) MEMORY.remove(MEMORY.keySet().iterator().next());
    }
    return c;
  }

  /** libseccomp's version, once per JVM; null when it cannot tell (no caching then). */
  private static String libVersion() {
    synchronized (MEMORY) {
      if (libVersion == null) {
        try {
          libVersion = LibSeccomp.version();
        } catch (RuntimeException | LinkageError e) {
          libVersion = ""; // a libseccomp without seccomp_version (before 2.3): compiled every time
        }
      }
      return libVersion.isEmpty() ? null : libVersion;
    }
  }

  static String key(LinuxSeccomp s) {
    // the kernel's release too: libseccomp asks the running kernel which actions it supports
    // (its API level) and compiles for them, and a state root on a disk outlives a reboot
    return MAGIC + " " + REVISION + "\nlibseccomp " + libVersion() + "\narch " + System.getProperty("os.arch")
        + "\nkernel " + System.getProperty("os.version") + "\n" + Json.write(s);
  }

  static String fileName(String key) {
    CRC32 crc = new CRC32();
    crc.update(key.getBytes(StandardCharsets.UTF_8));
    return "seccomp@" + Long.toHexString(crc.getValue());
  }

  /** The entry of {@code file} when it is for exactly {@code key}; null otherwise (absent, foreign, damaged). */
  static CompiledSeccomp read(Path file, String key) {
    byte[] bytes;
    try {
      bytes = BoundedFile.readOwn(file, "seccomp cache", FILE_LIMIT);
    } catch (IOException e) {
      return null; // absent (the usual miss), or refused: compiled again
    }
    // big-endian: int key length, key (UTF-8), long flags, byte notify, int rules, int program
    // length, program; nothing after it (a ByteBuffer: no stream classes for a fresh JVM to load)
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      byte[] k = key.getBytes(StandardCharsets.UTF_8);
      if (in.getInt() != k.length || in.remaining() < k.length) return null;
      if (!Arrays.equals(bytes, in.position(), in.position() + k.length, k, 0, k.length)) return null;
      in.position(in.position() + k.length);
      long flags = in.getLong();
      byte notify = in.get();
      int rules = in.getInt();
      int length = in.getInt();
      if ((notify & ~1) != 0 || length <= 0 || length % 8 != 0 || length != in.remaining()) return null;
      byte[] program = new byte[length];
      in.get(program);
      return new CompiledSeccomp(program, flags, notify == 1, rules);
    } catch (BufferUnderflowException e) {
      return null;
    }
  }

  /** Writes the entry through a file of its own, renamed over {@code file}; failures leave no file and are not errors. */
  static void write(Path file, String key, CompiledSeccomp c) {
    if (!Files.isDirectory(file.getParent())) return; // no state root yet: the next call keeps it
    // a name of its own (CREATE_NEW: never another writer's), without the pid's ProcessHandle
    // or createTempFile's SecureRandom, both costly in a fresh JVM
    Path tmp = file.resolveSibling(file.getFileName() + "." + System.nanoTime() + "." + Thread.currentThread().threadId()
        + ".tmp");
    try {
      byte[] k = key.getBytes(StandardCharsets.UTF_8);
      byte[] program = c.program();
      ByteBuffer out = ByteBuffer.allocate(4 + k.length + 8 + 1 + 4 + 4 + program.length);
      out.putInt(k.length).put(k).putLong(c.filterFlags()).put((byte) (c.usesNotify() ? 1 : 0)).putInt(c.rules())
          .putInt(program.length).put(program);
      Files.write(tmp, out.array(), java.nio.file.StandardOpenOption.CREATE_NEW,
          java.nio.file.StandardOpenOption.WRITE);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      bound(file.getParent());
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // nothing more to do: a stray temporary file is never read
      }
    }
  }

  /**
   * At most {@value #FILE_ENTRIES} files (a host whose containers bring ever new profiles must
   * not fill its /run): past that, the least recently written go. Run after a write, i.e. on a
   * miss only.
   */
  static void bound(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) { // no glob: its regex is ~1 ms cold
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (n.startsWith("seccomp@") && !n.endsWith(".tmp")) files.add(p);
      }
    }
    if (files.size() <= FILE_ENTRIES) return;
    Map<Path, Long> written = new HashMap<>();
    for (Path p : files) {
      try {
        written.put(p, Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis());
      } catch (IOException e) {
        written.put(p, 0L); // gone meanwhile, or unreadable: first to go
      }
    }
    files.sort(Comparator.comparingLong(written::get));
    for (Path p : files.subList(0, files.size() - FILE_ENTRIES)) Files.deleteIfExists(p);
  }

  /** Forgets what this JVM keeps in memory (tests). */
  static void clearMemory() {
    synchronized (MEMORY) {
      MEMORY.clear();
    }
  }
}
