package io.jrunc.core.sys;

import static io.jrunc.core.sys.Open.AT_FDCWD;
import static io.jrunc.core.sys.Open.AT_REMOVEDIR;
import static io.jrunc.core.sys.Open.O_CLOEXEC;
import static io.jrunc.core.sys.Open.O_DIRECTORY;
import static io.jrunc.core.sys.Open.O_RDONLY;
import static io.jrunc.core.sys.Open.O_TRUNC;
import static io.jrunc.core.sys.Open.O_WRONLY;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * The few file operations the cgroup code needs the exact errno of. A cgroup file reports a
 * rejected value only through the errno of {@code write(2)} (EINVAL for a bad number, EBUSY
 * for a cpuset in use, EOPNOTSUPP for a knob the kernel dropped, ENOENT for a controller that
 * is not enabled), and the message a user gets must carry it; {@code java.nio} hides it
 * behind a localised reason string. Raw syscalls through {@link Libc#syscallRaw}.
 */
public final class CgroupIo {
  private CgroupIo() {}

  /**
   * Writes {@code value} to the existing file {@code path} in one {@code write(2)}
   * ({@code openat(AT_FDCWD, path, O_WRONLY|O_TRUNC|O_CLOEXEC)}; cgroup files take one value
   * per write, and O_TRUNC keeps the same code right for the regular files tests use).
   */
  public static void write(String path, String value) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      int fd = openForWrite(arena, path);
      try {
        writeTo(arena, fd, path, value);
      } finally {
        Libc.close(fd);
      }
    }
  }

  /**
   * {@code openat(AT_FDCWD, path, O_WRONLY|O_TRUNC|O_CLOEXEC)} of an existing file, for
   * {@link #writeTo}: a file that takes several values, one per write (a v1 devices.allow, one
   * rule each), is opened once. The caller closes it with {@link Libc#close}.
   */
  public static int openForWrite(String path) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      return openForWrite(arena, path);
    }
  }

  /** {@code value} in one {@code write(2)} to {@code fd}, the file at {@code path} (for the error). */
  public static void writeTo(int fd, String path, String value) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      writeTo(arena, fd, path, value);
    }
  }

  private static int openForWrite(Arena arena, String path) throws SysException {
    MemorySegment p = NativeCopy.cString(arena, path);
    long fd;
    do {
      fd = Libc.syscallRaw(Sys.OPENAT, AT_FDCWD, p.address(), O_WRONLY | O_TRUNC | O_CLOEXEC, 0, 0, 0);
    } while (fd == -Errno.EINTR);
    if (fd < 0) throw new SysException("open", path, (int) -fd);
    return (int) fd;
  }

  private static void writeTo(Arena arena, int fd, String path, String value) throws SysException {
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    MemorySegment buf = arena.allocate(Math.max(1, b.length));
    NativeCopy.fromBytes(b, 0, buf, 0, b.length);
    long n;
    do {
      n = Libc.syscallRaw(Sys.WRITE, fd, buf.address(), b.length, 0, 0, 0);
    } while (n == -Errno.EINTR);
    if (n < 0) throw new SysException("write " + quote(value) + " to", path, (int) -n);
    if (n != b.length) throw new SysException("write " + quote(value) + " to", path, Errno.EIO);
  }

  /** {@code unlinkat(AT_FDCWD, path, AT_REMOVEDIR)}: removes a cgroup directory. */
  public static void rmdir(String path) throws SysException {
    // The usual case, a removal that works, through java.io: delete removes a cgroup's last
    // trace with no other downcall, and the first one of a JVM costs ~20 ms of CPU. A failure
    // is tried again through the syscall, whose errno the callers branch on (EBUSY and
    // ENOTEMPTY: retry; ENOENT: gone). (File.delete would unlink a file: only a directory.)
    java.io.File dir = new java.io.File(path);
    if (java.nio.file.Files.isDirectory(dir.toPath(), java.nio.file.LinkOption.NOFOLLOW_LINKS) && dir.delete()) {
      return;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment p = NativeCopy.cString(arena, path);
      long r = Libc.syscallRaw(Sys.UNLINKAT, AT_FDCWD, p.address(), AT_REMOVEDIR, 0, 0, 0);
      if (r < 0) throw new SysException("rmdir", path, (int) -r);
    }
  }

  /** {@code mkdirat(AT_FDCWD, path, 0755)}; returns false if it already existed. */
  public static boolean mkdir(String path) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment p = NativeCopy.cString(arena, path);
      long r = Libc.syscallRaw(Sys.MKDIRAT, AT_FDCWD, p.address(), 0755, 0, 0, 0);
      if (r == -Errno.EEXIST) return false;
      if (r < 0) throw new SysException("mkdir", path, (int) -r);
      return true;
    }
  }

  /**
   * {@code openat(AT_FDCWD, path, O_RDONLY|O_DIRECTORY|O_CLOEXEC)}: the cgroup directory fd
   * for {@code clone3}'s {@code CLONE_INTO_CGROUP} and for {@code BPF_PROG_ATTACH}. The caller
   * closes it with {@link Libc#close}.
   */
  public static int openDirectory(String path) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment p = NativeCopy.cString(arena, path);
      long fd = Libc.syscallRaw(Sys.OPENAT, AT_FDCWD, p.address(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, 0, 0);
      if (fd < 0) throw new SysException("open", path, (int) -fd);
      return (int) fd;
    }
  }

  private static String quote(String v) {
    String t = v.strip();
    return "\"" + (t.length() > 60 ? t.substring(0, 60) + "..." : t) + "\"";
  }
}
