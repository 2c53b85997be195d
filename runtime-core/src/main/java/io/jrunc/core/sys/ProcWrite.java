package io.jrunc.core.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Writes a whole value with one {@code write(2)}, as procfs control files want
 * ({@code /proc/<pid>/uid_map} accepts exactly one write), and reports the errno, which
 * {@code java.io} hides behind a message.
 */
public final class ProcWrite {
  private ProcWrite() {}

  /**
   * {@code openat(AT_FDCWD, path, O_WRONLY|O_CLOEXEC)}, one {@code write}, {@code close}.
   *
   * @return 0, or {@code -errno} of the failing call (a short write is {@code -EIO})
   */
  public static int writeOnce(String path, byte[] data) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment p = NativeCopy.cString(a, path);
      long fd = Libc.syscallRaw(Sys.OPENAT, Open.AT_FDCWD, p.address(), Open.O_WRONLY | Open.O_CLOEXEC, 0, 0, 0);
      if (fd < 0) return (int) fd;
      try {
        MemorySegment buf = a.allocate(Math.max(1, data.length));
        NativeCopy.fromBytes(data, 0, buf, 0, data.length);
        long n = Libc.syscallRaw(Sys.WRITE, fd, buf.address(), data.length, 0, 0, 0);
        if (n < 0) return (int) n;
        return n == data.length ? 0 : -Errno.EIO;
      } finally {
        Libc.close((int) fd);
      }
    }
  }

  /** {@link #writeOnce} that throws {@code SysException("write " + what, path, errno)}. */
  public static void write(String path, byte[] data, String what) throws SysException {
    int rc = writeOnce(path, data);
    if (rc < 0) throw new SysException(what, path, -rc);
  }
}
