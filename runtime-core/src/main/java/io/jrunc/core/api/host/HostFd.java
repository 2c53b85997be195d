package io.jrunc.core.api.host;

import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.PipeIo;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.sys.SysException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A file descriptor this process owns, close-on-exec, for the streams a supervisor hands a
 * container's process: {@link io.jrunc.core.api.Stdio.ToFile} takes {@link #procPath()} ({@code /proc/self/fd/N}),
 * which the process opens again as the same pipe or FIFO.
 *
 * <p>Closing is safe against the reuse of the fd number: a {@link #close()} while another
 * thread is inside {@link #read}, {@link #write} or {@link #awaitReadable} marks the fd closed
 * and the last of those calls closes it on its way out, so no thread ever reads or writes a
 * number that an unrelated {@code open} in this JVM got meanwhile. (On Linux a close never
 * wakes a blocked read anyway: that read ends at the peer's EOF.)
 */
public final class HostFd implements AutoCloseable {
  /** Both ends of a pipe, each close-on-exec. */
  public record Pipe(HostFd read, HostFd write) implements AutoCloseable {
    @Override
    public void close() {
      read.close();
      write.close();
    }
  }

  private final int fd;
  private final String what;
  private int users;
  private boolean closing;
  private boolean closed;

  HostFd(int fd, String what) {
    this.fd = fd;
    this.what = what;
  }

  /** {@code pipe2(O_CLOEXEC)}. */
  public static Pipe pipe() throws IOException {
    int[] p = Libc.pipe2(Open.O_CLOEXEC);
    return new Pipe(new HostFd(p[0], "pipe"), new HostFd(p[1], "pipe"));
  }

  /**
   * Opens a FIFO read-write: never blocks, whether or not its other end is open yet (fifo(7)),
   * and a writer through it never gets SIGPIPE because this fd is a reader too.
   */
  public static HostFd openFifo(Path fifo) throws IOException {
    return new HostFd(Libc.open(fifo.toString(), Open.O_RDWR | Open.O_CLOEXEC, 0), fifo.toString());
  }

  /** A close-on-exec duplicate ({@code fcntl F_DUPFD_CLOEXEC}) of an fd this process has. */
  static HostFd dup(int fd, String what) throws SysException {
    return new HostFd((int) Libc.syscall("fcntl F_DUPFD_CLOEXEC", what, Sys.FCNTL, fd, F_DUPFD_CLOEXEC, 0), what);
  }

  private static final int F_DUPFD_CLOEXEC = 1030;

  /** The fd number (for a child's {@code /proc/<pid>/fd/N} path; do not close it yourself). */
  public int number() {
    return fd;
  }

  /** {@code /proc/self/fd/N}: a path this process (and the container it creates) can open. */
  public Path procPath() {
    return Path.of("/proc/self/fd/" + fd);
  }

  /**
   * Reads at most {@code buf.length} bytes; returns their count, or -1 at EOF. EIO counts as
   * EOF: a pty master returns it once every slave fd is closed. Also -1 once closed.
   */
  public int read(byte[] buf) throws IOException {
    if (!enter()) return -1;
    try {
      int n = PipeIo.readSome(fd, buf);
      if (n == -Errno.EIO || n == 0) return -1;
      if (n < 0) throw new SysException("read", what, -n);
      return n;
    } finally {
      leave();
    }
  }

  /** Writes all of {@code buf[off, off+len)}. */
  public void write(byte[] buf, int off, int len) throws IOException {
    if (!enter()) throw new SysException("write", what, Errno.EBADF);
    try {
      Libc.write(fd, off == 0 && len == buf.length ? buf : java.util.Arrays.copyOfRange(buf, off, off + len));
    } catch (SysException e) {
      throw new SysException("write", what, e.errno());
    } finally {
      leave();
    }
  }

  /** Waits up to {@code millis} for data or EOF; false on timeout or when closed. */
  public boolean awaitReadable(int millis) throws IOException {
    if (!enter()) return false;
    try {
      return PipeIo.poll(new int[] {fd}, new short[] {PipeIo.POLLIN}, millis)[0] != 0;
    } finally {
      leave();
    }
  }

  /** Whether {@link #close()} was called. */
  public synchronized boolean isClosed() {
    return closing;
  }

  /** Closes the fd now, or when the last call in progress returns. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closing) return;
      closing = true;
      if (users > 0) return;
      closed = true;
    }
    Libc.close(fd);
  }

  private synchronized boolean enter() {
    if (closing) return false;
    users++;
    return true;
  }

  private void leave() {
    synchronized (this) {
      users--;
      if (!closing || users > 0 || closed) return;
      closed = true;
    }
    Libc.close(fd);
  }

  @Override
  public String toString() {
    return "fd " + fd + " (" + what + ")";
  }
}
