package io.jrunc.core.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Terminal attributes and sizes in the parent (the caller's terminal for {@code run -t}), via
 * the kernel's ioctls rather than glibc's tcgetattr (same effect, no struct translation).
 *
 * <table>
 *   <caption>struct termios as TCGETS/TCSETS see it (asm-generic, 36 bytes)</caption>
 *   <tr><th>offset</th><th>field</th></tr>
 *   <tr><td>0</td><td>tcflag_t c_iflag</td></tr>
 *   <tr><td>4</td><td>c_oflag</td></tr>
 *   <tr><td>8</td><td>c_cflag</td></tr>
 *   <tr><td>12</td><td>c_lflag</td></tr>
 *   <tr><td>16</td><td>cc_t c_line</td></tr>
 *   <tr><td>17</td><td>cc_t c_cc[19] (VTIME = 5, VMIN = 6)</td></tr>
 * </table>
 *
 * <p>Window sizes are a {@link Winsize}.
 */
public final class Termios {
  private Termios() {}

  /** ioctl requests ({@code <asm-generic/ioctls.h>}). */
  public static final long TCGETS = 0x5401, TCSETS = 0x5402, TIOCSCTTY = 0x540E, TIOCGWINSZ = 0x5413,
      TIOCSWINSZ = 0x5414, TIOCSPTLCK = 0x40045431L, TIOCGPTPEER = 0x5441;
  static final int SIZE = 36;
  static final int IFLAG = 0, OFLAG = 4, CFLAG = 8, LFLAG = 12, CC = 17, VTIME = 5, VMIN = 6;
  public static final int ICANON = 02, ECHO = 010, ISIG = 01, IEXTEN = 0100000, ECHONL = 0100;
  static final int IGNBRK = 01, BRKINT = 02, PARMRK = 010, ISTRIP = 040, INLCR = 0100, IGNCR = 0200,
      ICRNL = 0400, IXON = 02000, OPOST = 01, CSIZE = 060, PARENB = 0400, CS8 = 060;

  /** The attributes of a terminal, as an opaque copy of the kernel's struct. */
  public record Attrs(byte[] raw) {
    public int iflag() { return intAt(IFLAG); }
    public int oflag() { return intAt(OFLAG); }
    public int cflag() { return intAt(CFLAG); }
    public int lflag() { return intAt(LFLAG); }

    private int intAt(int off) {
      return java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.nativeOrder()).getInt(off);
    }
  }

  /** Whether {@code fd} is a terminal (TCGETS succeeds: glibc's isatty does the same). */
  public static boolean isatty(int fd) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment t = a.allocate(64, 8);
      return Libc.syscallRaw(Sys.IOCTL, fd, TCGETS, t.address(), 0, 0, 0) == 0;
    }
  }

  /** {@code ioctl(fd, TCGETS, &termios)}. */
  public static Attrs get(int fd) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment t = a.allocate(64, 8);
      Libc.syscall("get the terminal attributes of", "fd " + fd, Sys.IOCTL, fd, TCGETS, t.address());
      return new Attrs(t.asSlice(0, SIZE).toArray(JAVA_BYTE));
    }
  }

  /** {@code ioctl(fd, TCSETS, &termios)}: applies at once (tcsetattr TCSANOW). */
  public static void set(int fd, Attrs attrs) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment t = a.allocate(64, 8);
      NativeCopy.fromBytes(attrs.raw(), 0, t, 0, SIZE);
      long r;
      do {
        r = Libc.syscallRaw(Sys.IOCTL, fd, TCSETS, t.address(), 0, 0, 0);
      } while (r == -Errno.EINTR);
      if (r < 0) throw new SysException("set the terminal attributes of", "fd " + fd, (int) -r);
    }
  }

  static final int ONLCR = 04;

  /**
   * Clears ONLCR on a terminal: the container's output then reaches a non-terminal caller
   * with plain newlines, as runc's console.ClearONLCR does for its foreground relay.
   */
  public static void clearOnlcr(int fd) throws SysException {
    Attrs a = get(fd);
    java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(a.raw().clone()).order(java.nio.ByteOrder.nativeOrder());
    bb.putInt(OFLAG, bb.getInt(OFLAG) & ~ONLCR);
    set(fd, new Attrs(bb.array()));
  }

  /** cfmakeraw(3): no echo, no line editing, no signals from keys, no output processing, 8 bits. */
  public static Attrs makeRaw(Attrs in) {
    java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(in.raw().clone()).order(java.nio.ByteOrder.nativeOrder());
    bb.putInt(IFLAG, bb.getInt(IFLAG) & ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON));
    bb.putInt(OFLAG, bb.getInt(OFLAG) & ~OPOST);
    bb.putInt(LFLAG, bb.getInt(LFLAG) & ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN));
    bb.putInt(CFLAG, (bb.getInt(CFLAG) & ~(CSIZE | PARENB)) | CS8);
    bb.put(CC + VMIN, (byte) 1);
    bb.put(CC + VTIME, (byte) 0);
    return new Attrs(bb.array());
  }

  /** A terminal's size: rows, columns (pixels are kept as they are). */
  public record Size(int rows, int cols, int xpixel, int ypixel) {}

  /** {@code ioctl(fd, TIOCGWINSZ, &ws)}. */
  public static Size windowSize(int fd) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment ws = Winsize.LAYOUT.allocate(a);
      Libc.syscall("get the window size of", "fd " + fd, Sys.IOCTL, fd, TIOCGWINSZ, ws.address());
      return new Size(Winsize.rows(ws), Winsize.cols(ws), Winsize.xpixel(ws), Winsize.ypixel(ws));
    }
  }

  /** {@code ioctl(fd, TIOCSWINSZ, &ws)}; the kernel sends SIGWINCH to the terminal's foreground group. */
  public static void setWindowSize(int fd, Size s) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment ws = Winsize.write(Winsize.LAYOUT.allocate(a), s.rows(), s.cols(), s.xpixel(), s.ypixel());
      Libc.syscall("set the window size of", "fd " + fd, Sys.IOCTL, fd, TIOCSWINSZ, ws.address());
    }
  }

  /**
   * A new pseudo-terminal pair from the caller's {@code /dev/ptmx}: {master, slave}, both
   * CLOEXEC and O_NOCTTY (for tests and embedders that want to give a process a terminal).
   */
  public static int[] openPty() throws SysException {
    int master = Libc.open("/dev/ptmx", Open.O_RDWR | Open.O_NOCTTY | Open.O_CLOEXEC, 0);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment zero = a.allocate(4, 4);
      Libc.syscall("unlock the pty", "/dev/ptmx", Sys.IOCTL, master, TIOCSPTLCK, zero.address());
      int slave = (int) Libc.syscall("open the pty slave", "/dev/ptmx", Sys.IOCTL, master, TIOCGPTPEER,
          Open.O_RDWR | Open.O_NOCTTY | Open.O_CLOEXEC);
      return new int[] {master, slave};
    } catch (SysException e) {
      Libc.close(master);
      throw e;
    }
  }

  public static final short POLLIN = 1, POLLERR = 8, POLLHUP = 0x10, POLLNVAL = 0x20;

  /**
   * Waits up to {@code timeoutMillis} for {@code fd} to become readable; returns the revents
   * (0 on timeout or EINTR). A relay thread polls so it can notice that it should stop instead
   * of sitting in a read that only the next keystroke ends.
   */
  public static int pollIn(int fd, int timeoutMillis) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      return pollIn(pollFd(a, fd), timeoutMillis);
    }
  }

  /** A {@code struct pollfd {int fd; short events; short revents;}} waiting for input on {@code fd}. */
  public static MemorySegment pollFd(Arena arena, int fd) {
    MemorySegment pfd = arena.allocate(8, 4);
    Memory.setInt(pfd, 0, fd);
    Memory.setShort(pfd, 4, POLLIN);
    return pfd;
  }

  /** {@link #pollIn(int, int)} with a {@link #pollFd} made once (a loop's: no arena per call). */
  public static int pollIn(MemorySegment pfd, int timeoutMillis) throws SysException {
    long r = Libc.pollRaw(pfd, 1, timeoutMillis);
    if (r < 0) {
      if (r == -Errno.EINTR) return 0;
      throw new SysException("poll", "fd " + Memory.getInt(pfd, 0), (int) -r);
    }
    return r == 0 ? 0 : Short.toUnsignedInt(Memory.getShort(pfd, 6));
  }
}
