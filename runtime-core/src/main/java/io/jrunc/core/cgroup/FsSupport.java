package io.jrunc.core.cgroup;

import io.jrunc.core.sys.CgroupIo;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.SysException;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** File-level helpers every cgroupfs driver shares: reads, writes with errors that name the field, trees. */
public final class FsSupport {
  private FsSupport() {}

  /** The content of {@code dir/file}, or null if it does not exist. */
  public static String read(Path dir, String file) {
    try {
      return io.jrunc.core.sys.BoundedFile.readKernelFile(dir.resolve(file), io.jrunc.core.sys.BoundedFile.KERNEL_LIMIT);
    } catch (IOException e) {
      return null;
    }
  }

  /** {@code dir/file} as a number ("max" = {@link Long#MAX_VALUE}), or 0 when missing/empty. */
  public static long readLong(Path dir, String file) {
    return ResourceWrites.parseLong(read(dir, file), 0);
  }

  /** "key value" lines (memory.stat, cpu.stat, memory.events, cgroup.events) as a map. */
  public static Map<String, Long> readKeyed(Path dir, String file) {
    Map<String, Long> out = new LinkedHashMap<>();
    String s = read(dir, file);
    if (s == null) return out;
    for (String line : s.split("\n")) {
      String[] kv = line.strip().split("\\s+");
      if (kv.length == 2) out.put(kv[0], ResourceWrites.parseLong(kv[1], 0));
    }
    return out;
  }

  /** Writes one value, turning errno into a sentence that names the config field. */
  public static void write(Path dir, Write w) throws CgroupException {
    Path f = dir.resolve(w.file());
    try {
      CgroupIo.write(f.toString(), w.value());
    } catch (SysException e) {
      CgroupException x = failure(dir, f, w, e);
      if (x != null) throw x;
    }
  }

  /** {@code w}'s failure {@code e} as a sentence that names its field; null when it may be ignored. */
  private static CgroupException failure(Path dir, Path f, Write w, SysException e) {
    if (e.errno() == Errno.ENOENT && w.ignoreMissing()) return null;
    String prefix = w.field() == null ? "" : w.field() + ": ";
    if (e.errno() == Errno.ENOENT && !Files.exists(f)) {
      return new CgroupException(prefix + "cannot write \"" + w.value().strip() + "\": " + f + " does not exist" + missingWhy(dir, w));
    }
    return new CgroupException(prefix + e.getMessage(), e);
  }

  /**
   * Writes to the files of one directory in the order given, each file opened once however
   * many values go to it, each value in a write(2) of its own: a v1 devices cgroup takes one rule
   * per write, and a runtime's default dozen rules were a dozen opens and closes of
   * devices.allow per container. Errors as {@link #write}'s.
   */
  public static final class Writes implements AutoCloseable {
    private final Path dir;
    /** Each file opened so far, by name (a v1 devices.allow takes ~12 rules a create, one write each). */
    private final Map<String, Opened> opened = new LinkedHashMap<>(4);

    private record Opened(int fd, String path) {}

    public Writes(Path dir) {
      this.dir = dir;
    }

    public void write(Write w) throws CgroupException {
      try {
        Opened o = opened.get(w.file());
        if (o == null) {
          String path = dir.resolve(w.file()).toString();
          o = new Opened(CgroupIo.openForWrite(path), path);
          opened.put(w.file(), o);
        }
        CgroupIo.writeTo(o.fd(), o.path(), w.value());
      } catch (SysException e) {
        CgroupException x = failure(dir, dir.resolve(w.file()), w, e);
        if (x != null) throw x;
      }
    }

    @Override
    public void close() {
      for (Opened o : opened.values()) io.jrunc.core.sys.Libc.close(o.fd());
      opened.clear();
    }
  }

  /**
   * {@link #write}, first through {@link FileChannel} (the JDK's file API, no FFM downcall): for the
   * freezer and kill files that {@code kill}, {@code delete --force}, {@code pause} and
   * {@code resume} write, which would otherwise be those commands' only FFM downcall (the
   * first one a JVM links costs ~20-30 ms of CPU). One {@code write(2)} of a short value, as
   * {@link CgroupIo#write}: the file is opened without O_CREAT, and a failed write is done
   * again through {@link #write}, whose errno the error names (java.nio hides it).
   */
  public static void writeControl(Path dir, Write w) throws CgroupException {
    byte[] b = w.value().getBytes(StandardCharsets.UTF_8);
    try (FileChannel ch = FileChannel.open(dir.resolve(w.file()), StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      if (ch.write(ByteBuffer.wrap(b)) == b.length) return;
    } catch (IOException e) {
      // the errno, through the syscall
    }
    write(dir, w);
  }

  /**
   * One {@code write(2)} of {@code value} to the existing {@code dir/file} through
   * {@link FileChannel} (no FFM downcall), for callers that have another way when it fails and
   * need no errno: false when the file is missing or the write was refused.
   */
  public static boolean tryWriteControl(Path dir, String file, String value) {
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    try (FileChannel ch = FileChannel.open(dir.resolve(file), StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      return ch.write(ByteBuffer.wrap(b)) == b.length;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The {@code populated} field of a cgroup v2 directory's {@code cgroup.events}: 1 while a
   * process is in it or in a descendant, 0 when none is, -1 when the file cannot be read.
   */
  public static int populated(Path dir) {
    String s = read(dir, "cgroup.events");
    if (s == null) return -1;
    int i = s.startsWith("populated ") ? 0 : s.indexOf("\npopulated ");
    if (i < 0) return -1;
    i = s.indexOf(' ', i + 1) + 1;
    return i < s.length() && (s.charAt(i) == '0' || s.charAt(i) == '1') ? s.charAt(i) - '0' : -1;
  }

  private static String missingWhy(Path dir, Write w) {
    String ctrls = read(dir, "cgroup.controllers");
    if (ctrls != null && !w.controller().isEmpty()) {
      List<String> have = List.of(ctrls.strip().split("\\s+"));
      if (!have.contains(w.controller())) return " (the " + w.controller() + " controller is not enabled here; available: " + ctrls.strip() + ")";
      return " (the kernel offers no such file)";
    }
    if (!Files.isDirectory(dir)) return " (the " + w.controller() + " hierarchy is not mounted)";
    return " (this kernel has no such knob)";
  }

  /**
   * Creates {@code dir} and missing parents below {@code mount}; returns the topmost created, or
   * null when nothing was (then {@code dir} was there already). No stat: a hierarchy that is not
   * mounted is told by an mkdir's ENOENT at its first level (on pure v1 the stats of every
   * hierarchy's mount and directory were 18 of a create's system calls). Leaf first: one mkdir
   * when the parent is there, as an engine's parent cgroup is (containerd's /default, a pod's
   * directory); made level by level from the mount, every level above was an mkdir failing with
   * EEXIST (10 per create on this host's ten v1 hierarchies, 30 for a pod's container). On
   * ENOENT it goes up to the first level that can be made, then down again.
   */
  public static Path mkdirs(Path mount, Path dir) throws CgroupException {
    if (!dir.startsWith(mount)) throw new CgroupException("cgroup " + dir + " is outside its hierarchy " + mount);
    int first = mount.getNameCount() + 1; // dir's first level below the mount (names counted from /)
    if (dir.getNameCount() < first) return null; // the mount itself
    // A delete removes the empty parents its create made (docker's /docker, say): one that runs
    // between this create's mkdir of a parent and of the level below takes the parent away, and
    // the mkdir below fails with ENOENT. Made again from the top then: a delete removes a parent
    // once, so one more attempt is nearly always enough; the bound is for a parent removed again
    // and again by deletes that keep coming.
    Path earlier = null; // the topmost level an attempt that failed so made
    for (int attempt = 1; ; attempt++) {
      try {
        Path made = mkdirsOnce(dir, first);
        if (earlier == null || !Files.isDirectory(earlier)) return made;
        return made != null && made.getNameCount() < earlier.getNameCount() ? made : earlier;
      } catch (ParentGone g) {
        if (g.made != null && (earlier == null || g.made.getNameCount() < earlier.getNameCount())) earlier = g.made;
        if (attempt == 10) throw mkdirFailure(mount, g.cause);
      } catch (SysException e) {
        throw mkdirFailure(mount, e);
      }
    }
  }

  /** A level's mkdir failed with ENOENT after the level above it was there: someone removed it. */
  private static final class ParentGone extends Exception {
    final transient Path made;
    final SysException cause;

    ParentGone(Path made, SysException cause) {
      super(null, null, false, false);
      this.made = made;
      this.cause = cause;
    }
  }

  private static Path mkdirsOnce(Path dir, int first) throws SysException, ParentGone, CgroupException {
    int level = dir.getNameCount();
    boolean made;
    while (true) {
      try {
        made = CgroupIo.mkdir(level(dir, level).toString());
        break;
      } catch (SysException e) {
        if (e.errno() == Errno.ENOENT && level > first) {
          level--; // its parent is missing too
          continue;
        }
        throw e;
      }
    }
    Path top = made ? level(dir, level) : null;
    while (level < dir.getNameCount()) {
      Path cur = level(dir, ++level);
      try {
        if (CgroupIo.mkdir(cur.toString()) && top == null) top = cur;
      } catch (SysException e) {
        if (e.errno() == Errno.ENOENT) throw new ParentGone(top, e);
        if (top != null) removeUpTo(dir, top);
        throw e;
      }
    }
    return top;
  }

  /** {@code dir} cut to its first {@code n} names ({@code dir} itself when it has n). */
  private static Path level(Path dir, int n) {
    return n == dir.getNameCount() ? dir : dir.getRoot().resolve(dir.subpath(0, n));
  }

  private static CgroupException mkdirFailure(Path mount, SysException e) {
    if (e.errno() == Errno.ENOENT && !Files.isDirectory(mount)) {
      return new CgroupException("cgroup hierarchy " + mount + " is not mounted");
    }
    return new CgroupException("create cgroup " + e.getMessage(), e);
  }

  /** The pids in {@code dir}'s cgroup.procs and in every descendant's. */
  public static List<Integer> pidsRecursive(Path dir) {
    List<Integer> out = new ArrayList<>();
    collect(dir, out);
    return out;
  }

  private static void collect(Path dir, List<Integer> out) {
    String s = read(dir, "cgroup.procs");
    if (s == null) return;
    for (String l : s.split("\n")) if (!l.isBlank()) out.add(Integer.parseInt(l.strip()));
    for (Path c : subdirs(dir)) collect(c, out);
  }

  static List<Path> subdirs(Path dir) {
    // A directory's link count is 2 + its subdirectories on cgroupfs (kernfs), as on ext4 and
    // tmpfs: a leaf cgroup, the usual case, then costs one stat instead of one per control file
    // (~250 on a hybrid host for run's delete). Any other count (1 on btrfs and overlayfs) lists.
    try {
      if (Files.getAttribute(dir, "unix:nlink") instanceof Integer n && n == 2) return List.of();
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      // gone, or no unix view: the listing below decides
    }
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path p : ds) out.add(p);
    } catch (NoSuchFileException e) {
      // gone already
    } catch (IOException e) {
      // unreadable: the rmdir that follows reports it
    }
    return out;
  }

  /**
   * Removes {@code leaf} (its descendant cgroups first, e.g. those a nested runtime made) and then
   * its ancestors up to {@code top} (the topmost directory this container created), each only
   * if empty. Absent directories are fine; a busy one is retried briefly (the kernel frees a
   * cgroup asynchronously after its last process exits).
   *
   * <p>Through {@code java.io} first: {@link File#isDirectory()} then {@link File#delete()}
   * (remove(3): an unlink that fails with EISDIR, then rmdir(2)). A cold delete removes the
   * leaf and the parent in each of ~10 hierarchies; NIO's attribute path and {@link Path}
   * arithmetic made that 550-640 us against 270-310 us this way (20 directories in a JVM started
   * as bin/jrunc starts it, with the delete command's AOT cache; the kernel's own part ~120 us).
   * Only a directory is ever removed (a path that is not one is left, as before); a removal that
   * fails goes through the syscall, whose errno says busy, gone or why.
   */
  public static void removeUpTo(Path leaf, Path top) throws CgroupException {
    removeTree(leaf);
    if (top == null || !leaf.startsWith(top)) return;
    int levels = leaf.getNameCount() - top.getNameCount(); // the parents between leaf and top, top included
    File p = new File(leaf.toString()).getParentFile();
    for (int i = 0; i < levels && p != null; i++, p = p.getParentFile()) {
      // java.io, not CgroupIo.rmdir: no errno is needed here (gone: go on; any other failure,
      // ENOTEMPTY/EBUSY above all: another container still uses the parent, stop), and its
      // syscall fallback made the first FFM link of a delete whose container had made the parent
      // while a sibling still ran in it (~20-30 ms of CPU)
      if (!p.isDirectory()) continue;
      if (!p.delete() && p.exists()) return;
    }
  }

  static void removeTree(Path dir) throws CgroupException {
    // First the plain rmdir, which cgroupfs allows with the control files in place: a leaf
    // that no one nested cgroups under (nearly every container) goes without listing the
    // directory and stat-ing each of its 10-20 files (~0.4 ms of a warm delete). A cgroup
    // with children refuses (EBUSY/ENOTEMPTY): then the children first, as before.
    File f = new File(dir.toString());
    if ((f.isDirectory() && f.delete()) || !f.exists()) return; // removed, or gone: the usual cases
    if (removeUnlessBusy(dir) == null) return;
    for (Path c : subdirs(dir)) removeTree(c);
    SysException last = null;
    for (int i = 0; i < 50; i++) {
      last = removeUnlessBusy(dir);
      if (last == null) return;
      sleep(i < 10 ? 2 : 20);
    }
    throw new CgroupException("remove cgroup " + last.getMessage() + " (processes still in it: " + pidsRecursive(dir) + ")", last);
  }

  /** One rmdir of {@code dir}: null when it is gone (or was), the kernel's refusal when it is busy (EBUSY, ENOTEMPTY). */
  private static SysException removeUnlessBusy(Path dir) throws CgroupException {
    try {
      CgroupIo.rmdir(dir.toString());
      return null;
    } catch (SysException e) {
      if (e.errno() == Errno.ENOENT) return null;
      if (e.errno() != Errno.EBUSY && e.errno() != Errno.ENOTEMPTY) throw new CgroupException("remove cgroup " + e.getMessage(), e);
      return e;
    }
  }

  /** Sleeps for polling kernel state; keeps the interrupt flag. */
  public static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Moves a pid by writing it to {@code dir/cgroup.procs}. */
  public static void addProcess(Path dir, int pid) throws CgroupException {
    try {
      CgroupIo.write(dir.resolve("cgroup.procs").toString(), Integer.toString(pid));
    } catch (SysException e) {
      // runc's words ("adding pid N to cgroups"), which its bats tests match
      throw new CgroupException("adding pid " + pid + " to cgroup: " + e.getMessage(), e);
    }
  }
}
