package io.jrunc.core.terminal;

import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.SysException;
import io.jrunc.core.sys.UnixSockets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@code --pidfd-socket} (runc 1.2): hands the caller a pidfd of the container's process, so it
 * can signal and wait for it without pid-reuse races.
 *
 * <table>
 *   <caption>The protocol (runc's {@code setupPidfd})</caption>
 *   <tr><th>field</th><th>value</th></tr>
 *   <tr><td>socket</td><td>AF_UNIX stream, the caller listens, the runtime connects</td></tr>
 *   <tr><td>payload</td><td>{@code "standard"} for a container's init (create/run),
 *       {@code "setns"} for an exec'd process</td></tr>
 *   <tr><td>SCM_RIGHTS</td><td>one pidfd (pidfd_open, Linux 5.3)</td></tr>
 * </table>
 *
 * <p>runc sends it from inside the new process (before exec); we send the pidfd the parent got
 * from {@code clone3(CLONE_PIDFD)} (or {@code pidfd_open} of the announced pid of an exec that
 * forked into the pid namespace: that process is the runtime's unreaped child, so the pid
 * cannot have been recycled). The receiver sees the same thing.
 */
public final class PidfdSocket {
  private PidfdSocket() {}

  /** What the payload says about the process. */
  public enum Kind {
    INIT("standard"),
    EXEC("setns");

    final String payload;

    Kind(String payload) {
      this.payload = payload;
    }

    public String payload() {
      return payload;
    }
  }

  /** Connects to {@code socket} and sends {@code pidfd} with runc's payload; the pidfd stays open here. */
  public static void send(Path socket, int pidfd, Kind kind) throws SysException {
    if (pidfd < 0) throw new IllegalArgumentException("no pidfd to send");
    int fd;
    try {
      fd = UnixSockets.connect(socket.toString());
    } catch (SysException e) {
      throw new SysException("connect to the pidfd socket", socket.toString(), e.errno());
    }
    try {
      UnixSockets.sendFd(fd, pidfd, kind.payload.getBytes(StandardCharsets.US_ASCII));
    } catch (SysException e) {
      throw new SysException("send the pidfd to", socket.toString(), e.errno());
    } finally {
      Libc.close(fd);
    }
  }

  /** {@link #send} for a container's init. */
  public static void send(Path socket, int pidfd) throws SysException {
    send(socket, pidfd, Kind.INIT);
  }
}
