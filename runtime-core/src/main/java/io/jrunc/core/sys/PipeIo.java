package io.jrunc.core.sys;


import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Non-blocking pipe I/O for a parent that feeds and drains a child's stdio under a deadline
 * (a hook's state on stdin, its stdout and stderr): the calls return {@code -errno} instead of
 * throwing, because {@code EAGAIN} (pipe full or empty) and {@code EPIPE} (the child closed
 * its end; the JVM ignores SIGPIPE) are expected answers, not failures.
 */
public final class PipeIo {
  private PipeIo() {}

  public static final short POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 0x10, POLLNVAL = 0x20;
  private static final int F_GETFL = 3, F_SETFL = 4;

  /** {@code fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)}: this end only (each end is its own open file). */
  public static void setNonBlocking(int fd) throws SysException {
    long fl = Libc.syscall("fcntl F_GETFL", "fd " + fd, Sys.FCNTL, fd, F_GETFL);
    Libc.syscall("fcntl F_SETFL O_NONBLOCK", "fd " + fd, Sys.FCNTL, fd, F_SETFL, fl | Open.O_NONBLOCK);
  }

  /** {@code write(fd, buf + off, len)}: the bytes written, or -errno (EINTR retried). */
  public static int writeSome(int fd, byte[] buf, int off, int len) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment m = arena.allocate(Math.max(1, len));
      NativeCopy.fromBytes(buf, off, m, 0, len);
      long r;
      do {
        r = Libc.syscallRaw(Sys.WRITE, fd, m.address(), len, 0, 0, 0);
      } while (r == -Errno.EINTR);
      return (int) r;
    }
  }

  /** {@code read(fd, buf, buf.length)}: the bytes read, 0 at EOF, or -errno (EINTR retried). */
  public static int readSome(int fd, byte[] buf) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment m = arena.allocate(Math.max(1, buf.length));
      long r;
      do {
        r = Libc.waitingSyscallRaw(Sys.READ, fd, m.address(), buf.length, 0, 0, 0);
      } while (r == -Errno.EINTR);
      if (r > 0) NativeCopy.toBytes(m, 0, buf, 0, (int) r);
      return (int) r;
    }
  }

  /**
   * Waits up to {@code timeoutMillis} for any of {@code fds} to be ready for its
   * {@code events}; returns each fd's revents (all 0 on timeout or EINTR). A negative fd is
   * skipped by the kernel (poll(2)), so a closed stream can keep its slot.
   */
  public static short[] poll(int[] fds, short[] events, int timeoutMillis) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment pfd = a.allocate(8L * fds.length, 4); // struct pollfd {int fd; short events; short revents;}
      for (int i = 0; i < fds.length; i++) {
        Memory.setInt(pfd, 8L * i, fds[i]);
        Memory.setShort(pfd, 8L * i + 4, events[i]);
      }
      long r = Libc.pollRaw(pfd, fds.length, timeoutMillis);
      short[] rev = new short[fds.length];
      if (r < 0) {
        if (r == -Errno.EINTR) return rev;
        throw new SysException("poll", fds.length + " fds", (int) -r);
      }
      for (int i = 0; i < fds.length && r > 0; i++) rev[i] = Memory.getShort(pfd, 8L * i + 6);
      return rev;
    }
  }
}
