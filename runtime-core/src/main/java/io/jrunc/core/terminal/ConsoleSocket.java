package io.jrunc.core.terminal;

import io.jrunc.core.sys.SysException;
import io.jrunc.core.sys.UnixSockets;
import java.nio.file.Path;

/**
 * The runtime's end of {@code --console-socket}: the engine (containerd's shim, conmon, runc's
 * {@code recvtty}) listens on an AF_UNIX stream socket; the runtime connects before the clone
 * and the child sends the pty master over it ({@link TerminalSetup}).
 *
 * <table>
 *   <caption>The protocol (runc's, as engines expect it)</caption>
 *   <tr><th>step</th><th>who</th><th>what</th></tr>
 *   <tr><td>1</td><td>runtime (parent)</td><td>connect to the socket path</td></tr>
 *   <tr><td>2</td><td>container process (child, before execve)</td><td>one {@code sendmsg}:
 *       payload = the slave's path in the container ({@code /dev/pts/0}) or one NUL byte when
 *       the container has no {@code /proc}; one SCM_RIGHTS fd = the pty master</td></tr>
 *   <tr><td>3</td><td>both</td><td>close; no reply is expected</td></tr>
 * </table>
 */
public final class ConsoleSocket {
  private ConsoleSocket() {}

  /**
   * runc's {@code checkTerminal}: the flag combinations it refuses, with its sentences (engines
   * and scripts match them). {@code detach} is true for create and for {@code run -d}/{@code
   * exec -d}. Returns null when the combination is fine.
   */
  public static String checkFlags(boolean terminal, boolean detach, boolean haveConsoleSocket) {
    if (detach && terminal && !haveConsoleSocket) {
      return "cannot allocate tty if runc will detach without setting console socket";
    }
    if ((!detach || !terminal) && haveConsoleSocket) {
      return "cannot use console socket if runc will not detach or allocate tty";
    }
    return null;
  }

  /**
   * Connects to {@code path}; returns the fd (CLOEXEC: the child inherits it across clone and
   * uses it before execve). The parent closes its copy once the child has exec'd or failed.
   */
  public static int connect(Path path) throws SysException {
    try {
      return UnixSockets.connect(path.toString());
    } catch (SysException e) {
      throw new SysException("connect to the console socket", path.toString(), e.errno());
    }
  }
}
