package io.jrunc.core.sys;

import static io.jrunc.core.sys.Open.AT_EMPTY_PATH;
import static io.jrunc.core.sys.Open.O_CLOEXEC;
import static io.jrunc.core.sys.Open.O_PATH;
import static io.jrunc.core.sys.Open.RESOLVE_IN_ROOT;
import static io.jrunc.core.sys.Open.RESOLVE_NO_MAGICLINKS;
import static io.jrunc.core.sys.Stat.S_IFBLK;
import static io.jrunc.core.sys.Stat.S_IFCHR;
import static io.jrunc.core.sys.Stat.S_IFDIR;
import static io.jrunc.core.sys.Stat.S_IFIFO;
import static io.jrunc.core.sys.Stat.S_IFLNK;
import static io.jrunc.core.sys.Stat.S_IFMT;
import static io.jrunc.core.sys.Stat.S_IFREG;
import static io.jrunc.core.sys.Stat.S_IFSOCK;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * The one way jrunc reads a file whose size and type it does not control: a bundle's
 * {@code config.json}, the image's {@code /etc/passwd}, {@code exec --process}, {@code update
 * --resources}, the state directory's files, kernel files, a hook's output. Every read is
 * bounded, so a hostile input ends in one error that names the file, the limit and why, never
 * in an {@code OutOfMemoryError} or a hang.
 *
 * <p>How a file is opened, so that nothing can block and nothing is checked on one file and
 * read from another (no TOCTOU):
 * <ol>
 *   <li>{@code openat(path, O_PATH)} ({@code O_NOFOLLOW} where the path must not be a link;
 *       {@code openat2(RESOLVE_IN_ROOT)} for a path inside a container's root). An
 *       {@code O_PATH} open never calls a driver's open: a FIFO does not wait for a writer,
 *       {@code /dev/watchdog} is not armed.</li>
 *   <li>{@code statx} of that descriptor: anything but a regular file (FIFO, device, directory,
 *       socket, symlink) is refused, and so is a size over the limit (a sparse 2 GB file is
 *       refused before a byte is read).</li>
 *   <li>{@code /proc/self/fd/N} reopened {@code O_RDONLY}: the very inode that was checked.</li>
 *   <li>read until EOF, but never more than limit + 1 bytes: a file that grows while read is
 *       refused too (procfs files report size 0 and are bounded the same way).</li>
 * </ol>
 *
 * <p>The documents a caller hands the runtime (a bundle's {@code config.json}, {@code exec
 * --process}, {@code update --resources}) are read by {@link #readDocument} without a downcall
 * when they are not links: {@code lstat}, then an {@code O_NOFOLLOW} open through NIO, with the
 * same refusals and words. A cold JVM's first downcall link costs ~15-20 ms, and create reads
 * config.json first: through NIO it parses, validates and plans while that link runs on another
 * core. What that gives up: between the {@code lstat} and the open, whoever can write the
 * file's directory could put a FIFO there, and the open would then wait for a writer. Nothing
 * else can appear there: {@code O_NOFOLLOW} refuses a link, and a device node needs
 * {@code CAP_MKNOD} (or a hard link on the same filesystem as a device node, which
 * {@code protected_hardlinks} and devtmpfs rule out). That writer controls the document's
 * content anyway, the call waits before it has made anything, and runc opens these files with
 * a plain blocking open. A link is read through the descriptor path above. The two named on a
 * command line may also be a pipe ({@link #readArgument}: {@code -p <(...)}, as runc reads it).
 *
 * <table>
 *   <caption>Limits (runc has none: it streams config.json and state.json through Go's JSON
 *   decoder, and reads /etc/passwd with {@code bufio.Scanner}, whose 64 KiB token limit is the
 *   only bound it has)</caption>
 *   <tr><th>input</th><th>limit</th><th>why this size</th></tr>
 *   <tr><td>JSON documents: config.json (bundle and state copy), state.json, {@code exec
 *       --process}, {@code update --resources}</td><td>{@link #JSON_LIMIT} 16 MiB</td><td>a large
 *       real config (a big seccomp profile, many mounts and annotations) is well under 1 MiB;
 *       16 MiB parses and validates in a default heap</td></tr>
 *   <tr><td>the image's {@code /etc/passwd}</td><td>{@link #ACCOUNTS_LIMIT} 16 MiB, lines of
 *       at most {@link #LINE_LIMIT} 64 KiB</td><td>read line by line (memory: one line); 64 KiB is
 *       runc's {@code bufio.Scanner} limit</td></tr>
 *   <tr><td>procfs, sysfs and cgroupfs files the runtime names itself</td><td>{@link
 *       #KERNEL_LIMIT} 16 MiB</td><td>{@code /proc/self/mountinfo} of a host with tens of
 *       thousands of mounts is a few MiB</td></tr>
 *   <tr><td>a hook's stdout and stderr</td><td>the last {@link #OUTPUT_TAIL} 64 KiB kept</td><td>the
 *       rest is drained (the hook must not block on a full pipe) and dropped; only the end goes
 *       into an error message</td></tr>
 * </table>
 */
public final class BoundedFile {
  private BoundedFile() {}

  public static final int JSON_LIMIT = 16 << 20;
  public static final int ACCOUNTS_LIMIT = 16 << 20;
  public static final int LINE_LIMIT = 64 << 10;
  public static final int KERNEL_LIMIT = 16 << 20;
  public static final int OUTPUT_TAIL = 64 << 10;

  /** Whether the last component of a path may be a symbolic link. */
  public enum Links {
    /** Followed; the file it leads to must be regular (a bundle's config.json may be a link). */
    FOLLOW,
    /** {@code O_NOFOLLOW}: a link is refused (files the runtime itself wrote). */
    REFUSE
  }

  /**
   * A file refused before or while it was read: not a regular file, or over its limit. The
   * message names the file (its label and path), the limit and why.
   */
  public static final class RefusedException extends IOException {
    private final String path;
    private final String reason;

    RefusedException(String label, String path, String reason) {
      super(label + ": " + path + " " + reason);
      this.path = path;
      this.reason = reason;
    }

    /** The path as it was given. */
    public String path() {
      return path;
    }

    /** Why, as a predicate of the file: "is a FIFO, not a regular file: ...". */
    public String reason() {
      return reason;
    }
  }

  private static final int CHUNK = 64 << 10;

  /**
   * The whole content of the regular file at {@code path}, at most {@code limit} bytes.
   *
   * @param label what the file is, for messages ("config.json", "state.json", ...)
   * @throws NoSuchFileException when it does not exist
   * @throws RefusedException when it is not a regular file or is over the limit
   */
  public static byte[] read(Path path, String label, int limit, Links links) throws IOException {
    String p = path.toString();
    int fd = openPath(p, links);
    try {
      return readOpened(fd, label, p, limit);
    } finally {
      Libc.close(fd);
    }
  }

  /**
   * The whole content of a regular file jrunc wrote itself into a container's state directory
   * ({@code state.json}, the saved {@code config.json}), at most {@code limit} bytes, read with
   * no downcall: the first FFM link of a JVM costs ~20 ms of CPU (the JDK spins its method
   * handles and stub at run time), which {@code state} would otherwise pay for this one read.
   * The same refusals as {@link #read} with {@link Links#REFUSE}, checked with
   * {@code lstat} before an {@code O_NOFOLLOW} open: a symbolic link, a FIFO, a device, a
   * directory or a file over the limit is refused with the same words. Between the check and
   * the open the file could be swapped for a FIFO only by whoever can write the state
   * directory (root's {@code /run/jrunc}, mode 0700, or the rootless user's own), who can
   * rewrite the record anyway.
   *
   * @throws NoSuchFileException when it does not exist
   * @throws RefusedException when it is not a regular file or is over the limit
   */
  public static byte[] readOwn(Path path, String label, int limit) throws IOException {
    return readNoFollow(path, label, limit, false);
  }

  /**
   * A document a caller hands the runtime (config.json, {@code exec --process}, {@code update
   * --resources}): as {@link #read} with {@link Links#FOLLOW}, but a file that is not a link is
   * read through NIO, with no downcall (see the class comment for what that gives up).
   *
   * @throws NoSuchFileException when it does not exist
   * @throws RefusedException when it is not a regular file or is over the limit
   */
  public static byte[] readDocument(Path path, String label, int limit) throws IOException {
    byte[] b = readNoFollow(path, label, limit, true);
    return b != null ? b : read(path, label, limit, Links.FOLLOW);
  }

  /**
   * A document named on a command line ({@code exec --process}, {@code update --resources}): as
   * {@link #readDocument}, but a pipe is read too, as runc reads one: a shell's {@code -p <(...)}
   * is {@code /dev/fd/63}, a pipe, and so is {@code /dev/stdin} of {@code ... | jrunc exec -p
   * /dev/stdin}. A FIFO is opened without waiting for a writer ({@code O_NONBLOCK}, reopened from
   * the {@code O_PATH} descriptor whose type was checked) and read to its end within
   * {@link #FIFO_WAIT_MILLIS} and the limit: a named FIFO that no one writes to is refused after
   * that wait, not a hang. A device, directory or socket is refused as before.
   *
   * @throws NoSuchFileException when it does not exist
   * @throws RefusedException when it is neither a regular file nor a FIFO, or is over the limit
   */
  public static byte[] readArgument(Path path, String label, int limit) throws IOException {
    return readArgument(path, label, limit, FIFO_WAIT_MILLIS);
  }

  static byte[] readArgument(Path path, String label, int limit, long fifoWaitMillis) throws IOException {
    // NIO's stat (following links) first: the usual regular file keeps readDocument's no-downcall read
    int type;
    try {
      type = (Integer) java.nio.file.Files.getAttribute(path, "unix:mode") & S_IFMT;
    } catch (AccessDeniedException e) {
      throw withReason(e);
    }
    if (type != S_IFIFO) return readDocument(path, label, limit);
    String p = path.toString();
    int fd = openPath(p, Links.FOLLOW);
    try {
      if (typeOf(fd, p) != S_IFIFO) return readOpened(fd, label, p, limit); // swapped meanwhile
      int rd;
      do {
        rd = Libc.openRaw("/proc/self/fd/" + fd, Open.O_RDONLY | Open.O_CLOEXEC | Open.O_NONBLOCK, 0);
      } while (rd == -Errno.EINTR);
      if (rd < 0) throw openError(p, -rd);
      try {
        return readFifo(rd, label, p, limit, fifoWaitMillis);
      } finally {
        Libc.close(rd);
      }
    } finally {
      Libc.close(fd);
    }
  }

  /** lstat, refusals, O_NOFOLLOW open and bounded read through NIO; null for a link when {@code nullForLink}. */
  private static byte[] readNoFollow(Path path, String label, int limit, boolean nullForLink) throws IOException {
    try {
      return readNoFollowAs(path, label, limit, nullForLink);
    } catch (AccessDeniedException e) {
      throw withReason(e);
    }
  }

  /**
   * NIO's AccessDeniedException has no reason (its message is the bare path): the descriptor
   * path's words instead ({@link #openError}), so a refusal says why.
   */
  static AccessDeniedException withReason(AccessDeniedException e) {
    if (e.getReason() != null) return e;
    AccessDeniedException x = new AccessDeniedException(e.getFile(), e.getOtherFile(), Errno.describe(Errno.EACCES));
    x.initCause(e);
    return x;
  }

  private static byte[] readNoFollowAs(Path path, String label, int limit, boolean nullForLink) throws IOException {
    String p = path.toString();
    java.util.Map<String, Object> attrs =
        java.nio.file.Files.readAttributes(path, "unix:mode,size", java.nio.file.LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) attrs.get("mode");
    long size = (Long) attrs.get("size");
    if (nullForLink && (mode & S_IFMT) == S_IFLNK) return null;
    checkRegular(mode, size, label, p, limit);
    try (var ch = java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.READ,
        java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      // sized by lstat; a file that grew since is read to the limit + 1 and refused past it
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) Math.min(limit + 1L, Math.max(size + 1, 64)));
      while (true) {
        if (!buf.hasRemaining()) {
          if (buf.capacity() > limit) {
            throw new RefusedException(label, p, "grew past the " + size(limit) + " limit for " + label + " while being read");
          }
          buf = java.nio.ByteBuffer.allocate((int) Math.min(limit + 1L, buf.capacity() * 2L)).put(buf.flip());
        }
        if (ch.read(buf) < 0) break;
      }
      byte[] out = new byte[buf.position()];
      buf.flip().get(out);
      return out;
    }
  }

  /**
   * Calls {@code visitor} with each line (without its {@code \n}) of the regular file at
   * {@code path} inside {@code root}, resolved by the kernel as the container would see it
   * ({@code openat2(RESOLVE_IN_ROOT)}: a symlink in the image cannot lead out of it). Stops when
   * the visitor returns true. The file may hold at most {@code limit} bytes and lines of at most
   * {@code lineLimit}; memory used is one line.
   *
   * @return true when the visitor stopped the scan
   * @throws NoSuchFileException when the file does not exist in the root
   */
  public static boolean scanLinesInRoot(Path root, String path, String label, int limit, int lineLimit,
      Predicate<String> visitor) throws IOException {
    String shown = root.resolve(path.startsWith("/") ? path.substring(1) : path).toString();
    int rootFd = openOrThrow(root.toString(), Open.O_PATH | Open.O_DIRECTORY | Open.O_CLOEXEC);
    int fd;
    try {
      fd = openat2InRoot(rootFd, path, shown);
    } finally {
      Libc.close(rootFd);
    }
    try {
      long size = checkRegular(fd, label, shown, limit);
      int rd = reopenForRead(fd, shown);
      try {
        return scanLines(rd, label, shown, limit, lineLimit, size, visitor);
      } finally {
        Libc.close(rd);
      }
    } finally {
      Libc.close(fd);
    }
  }

  /**
   * At most {@code limit} bytes of a stream whose end we wait for (standard input of
   * {@code update -r -}); more is refused.
   */
  public static byte[] readStream(InputStream in, String label, String where, int limit) throws IOException {
    byte[] b = in.readNBytes(limit + 1);
    if (b.length > limit) throw new RefusedException(label, where, "is over the " + size(limit) + " limit for " + label);
    return b;
  }

  /**
   * Reads {@code in} to its end and returns the last {@code keep} bytes: a child's output is
   * drained (so it never blocks on a full pipe) without holding more than the end of it.
   * Errors end the read: what was kept is returned.
   */
  public static byte[] tail(InputStream in, int keep) {
    byte[] ring = new byte[keep];
    long total = 0;
    byte[] buf = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i++) ring[(int) ((total + i) % keep)] = buf[i];
        total += n;
      }
    } catch (IOException e) {
      // the reader side failed or was closed: keep what came
    }
    int len = (int) Math.min(total, keep);
    byte[] out = new byte[len];
    int start = (int) ((total - len) % keep);
    for (int i = 0; i < len; i++) out[i] = ring[(start + i) % keep];
    return out;
  }

  /**
   * A procfs, sysfs or cgroupfs file the runtime names itself (its type is the kernel's), at
   * most {@code limit} bytes, as UTF-8. Plain {@code java.io}: no native call, so the CLI's
   * cheapest paths stay cheap. Not for paths an image or a user chooses: use {@link #read}.
   */
  public static String readKernelFile(Path path, int limit) throws IOException {
    try (FileInputStream in = new FileInputStream(path.toFile())) {
      // read(2) into a small buffer, grown only for a big file (a mountinfo): readNBytes first
      // asks the size and position (three fstat and an lseek, for files that say 0) and reads
      // through a fresh 16 KiB buffer, 8 system calls a file where this makes 4-5; a warm create
      // reads several (/proc/self/status and cgroup, the v1 cpuset files)
      byte[] b = new byte[Math.min(limit + 1, 4096)];
      int n = 0;
      for (int r; (r = in.read(b, n, b.length - n)) > 0; ) {
        n += r;
        if (n > limit) {
          throw new RefusedException("kernel file", path.toString(), "is over the " + size(limit) + " limit for a kernel file");
        }
        if (n == b.length) b = Arrays.copyOf(b, (int) Math.min(limit + 1L, 2L * b.length));
      }
      return new String(b, 0, n, StandardCharsets.UTF_8);
    } catch (java.io.FileNotFoundException e) {
      // java.io says only "(No such file or directory)"; callers tell absence from failure
      NoSuchFileException x = new NoSuchFileException(path.toString());
      x.initCause(e);
      throw x;
    }
  }

  /** "16 MiB", "64 KiB", or bytes. */
  public static String size(long bytes) {
    if (bytes >= (1 << 20) && bytes % (1 << 20) == 0) return (bytes >> 20) + " MiB";
    if (bytes >= (1 << 10) && bytes % (1 << 10) == 0) return (bytes >> 10) + " KiB";
    return bytes + " bytes";
  }

  // ---------------------------------------------------------------- internals

  private static int openPath(String path, Links links) throws IOException {
    return openOrThrow(path, Open.O_PATH | Open.O_CLOEXEC | (links == Links.REFUSE ? Open.O_NOFOLLOW : 0));
  }

  private static int openOrThrow(String path, int flags) throws IOException {
    int fd;
    do {
      fd = Libc.openRaw(path, flags, 0);
    } while (fd == -Errno.EINTR);
    if (fd < 0) throw openError(path, -fd);
    return fd;
  }

  private static IOException openError(String path, int errno) {
    // the java.nio types callers already tell apart ("being created" = no state.json yet)
    if (errno == Errno.ENOENT) return new NoSuchFileException(path);
    if (errno == Errno.EACCES) return new AccessDeniedException(path, null, Errno.describe(errno));
    return new SysException("open", path, errno);
  }

  /** {@code openat2(rootfd, path, {O_PATH|O_CLOEXEC, 0, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS})}. */
  private static int openat2InRoot(int rootFd, String path, String shown) throws IOException {
    int from = 0;
    while (from < path.length() && path.charAt(from) == '/') from++; // leading slashes: no regex on create's path
    String rel = path.substring(from);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment p = NativeCopy.cString(a, rel.isEmpty() ? "." : rel);
      MemorySegment how = OpenHow.write(OpenHow.LAYOUT.allocate(a), O_PATH | O_CLOEXEC, 0,
          RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
      long r;
      do {
        r = Libc.syscallRaw(Sys.OPENAT2, rootFd, p.address(), how.address(), how.byteSize(), 0, 0);
      } while (r == -Errno.EINTR || r == -Errno.EAGAIN);
      if (r < 0) throw openError(shown, (int) -r);
      return (int) r;
    }
  }

  /** statx of the descriptor: refuses all but a regular file within the limit; returns the size. */
  private static long checkRegular(int fd, String label, String path, int limit) throws IOException {
    long[] modeSize = statx(fd, path);
    checkRegular((int) modeSize[0], modeSize[1], label, path, limit);
    return modeSize[1];
  }

  /** The descriptor's file type ({@code S_IFMT} bits), by statx. */
  private static int typeOf(int fd, String path) throws IOException {
    return (int) statx(fd, path)[0] & S_IFMT;
  }

  /** {mode, size} of the descriptor's file. */
  private static long[] statx(int fd, String path) throws IOException {
    long[] modeSize = new long[2];
    long r = Stat.statx(fd, "", AT_EMPTY_PATH, modeSize);
    if (r < 0) throw new SysException("statx", path, (int) -r);
    return modeSize;
  }

  /** The refusals of a file's type and size (st_mode, st_size), in the words of both reads. */
  private static void checkRegular(int mode, long size, String label, String path, int limit) throws RefusedException {
    if ((mode & S_IFMT) == S_IFLNK) {
      throw new RefusedException(label, path, "is a symbolic link: refused, as jrunc reads this file only where it is");
    }
    if ((mode & S_IFMT) != S_IFREG) {
      throw new RefusedException(label, path, "is " + typeName(mode) + ", not a regular file: refused, as reading it could"
          + " block or never end");
    }
    if (size > limit) {
      throw new RefusedException(label, path, "is " + size + " bytes, over the " + size(limit) + " limit for " + label);
    }
  }

  static String typeName(int mode) {
    return switch (mode & S_IFMT) {
      case S_IFIFO -> "a FIFO";
      case S_IFCHR -> "a character device";
      case S_IFDIR -> "a directory";
      case S_IFBLK -> "a block device";
      case S_IFLNK -> "a symbolic link";
      case S_IFSOCK -> "a socket";
      default -> "of unknown type " + Integer.toOctalString(mode & S_IFMT);
    };
  }

  /** Reopens a checked O_PATH descriptor for reading: the same inode, never a driver's open. */
  private static int reopenForRead(int fd, String path) throws IOException {
    int rd;
    do {
      rd = Libc.openRaw("/proc/self/fd/" + fd, Open.O_RDONLY | Open.O_CLOEXEC | Open.O_NOCTTY, 0);
    } while (rd == -Errno.EINTR);
    if (rd < 0) throw new SysException("open", path, -rd);
    return rd;
  }

  private static byte[] readOpened(int pathFd, String label, String path, int limit) throws IOException {
    long size = checkRegular(pathFd, label, path, limit);
    int fd = reopenForRead(pathFd, path);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(CHUNK);
      // sized by statx (procfs says 0): grows as needed, never past limit + 1
      ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(64, size));
      while (true) {
        long n = read(fd, buf, path);
        if (n == 0) return out.toByteArray();
        if (out.size() + n > limit) {
          throw new RefusedException(label, path, "grew past the " + size(limit) + " limit for " + label + " while being read");
        }
        out.write(buf.asSlice(0, n).toArray(JAVA_BYTE));
      }
    } finally {
      Libc.close(fd);
    }
  }

  /** How long {@link #readArgument} waits for a FIFO's end of file: a writer that never comes is not a hang. */
  public static final long FIFO_WAIT_MILLIS = 10_000;

  /**
   * A FIFO opened {@code O_NONBLOCK}, read to its end within {@code waitMillis} and
   * {@code limit} bytes. ppoll before each read: a read while no writer has the FIFO open says
   * EOF at once, but ppoll waits for a writer's data or for its close (POLLHUP).
   */
  private static byte[] readFifo(int fd, String label, String path, int limit, long waitMillis) throws IOException {
    long deadline = System.nanoTime() + waitMillis * 1_000_000L;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(CHUNK);
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0 || !Libc.awaitReadable(fd, left)) {
          throw new RefusedException(label, path, "is a FIFO that did not reach its end within " + waitMillis / 1000.0
              + " s: refused, as reading it could block or never end");
        }
        long n = Libc.syscallRaw(Sys.READ, fd, buf.address(), buf.byteSize(), 0, 0, 0);
        if (n == -Errno.EAGAIN || n == -Errno.EINTR) continue;
        if (n < 0) throw new SysException("read", path, (int) -n);
        if (n == 0) return out.toByteArray();
        if (out.size() + n > limit) {
          throw new RefusedException(label, path, "grew past the " + size(limit) + " limit for " + label + " while being read");
        }
        out.write(buf.asSlice(0, n).toArray(JAVA_BYTE));
      }
    }
  }

  private static boolean scanLines(int fd, String label, String path, int limit, int lineLimit, long size,
      Predicate<String> visitor) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment seg = a.allocate(CHUNK);
      ByteArrayOutputStream line = new ByteArrayOutputStream(256);
      long total = 0;
      int lineNo = 1;
      while (true) {
        long n = read(fd, seg, path);
        if (n == 0) break;
        total += n;
        if (total > limit) {
          throw new RefusedException(label, path, "grew past the " + size(limit) + " limit for " + label + " while being read");
        }
        byte[] chunk = seg.asSlice(0, n).toArray(JAVA_BYTE);
        int from = 0;
        for (int i = 0; i < chunk.length; i++) {
          if (chunk[i] != '\n') continue;
          if (line.size() + i - from > lineLimit) throw longLine(label, path, lineNo, lineLimit);
          line.write(chunk, from, i - from);
          if (visitor.test(line.toString(StandardCharsets.UTF_8))) return true;
          line.reset();
          lineNo++;
          from = i + 1;
        }
        if (line.size() + chunk.length - from > lineLimit) throw longLine(label, path, lineNo, lineLimit);
        line.write(chunk, from, chunk.length - from);
      }
      return line.size() > 0 && visitor.test(line.toString(StandardCharsets.UTF_8));
    }
  }

  private static RefusedException longLine(String label, String path, int lineNo, int lineLimit) {
    return new RefusedException(label, path, "has a line (line " + lineNo + ") longer than the " + size(lineLimit)
        + " limit for a line of " + label);
  }

  /** {@code read(2)} into {@code buf}, retried on EINTR. */
  private static long read(int fd, MemorySegment buf, String path) throws SysException {
    long n;
    do {
      n = Libc.syscallRaw(Sys.READ, fd, buf.address(), buf.byteSize(), 0, 0, 0);
    } while (n == -Errno.EINTR);
    if (n < 0) throw new SysException("read", path, (int) -n);
    return n;
  }
}
