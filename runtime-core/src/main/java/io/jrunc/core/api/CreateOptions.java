package io.jrunc.core.api;

import java.nio.file.Path;

/**
 * How to create a container: runc's {@code create} flags as a value.
 *
 * @param bundle the bundle directory (holds config.json)
 * @param pidFile where to write init's pid (atomically, decimal, no newline), or null
 * @param consoleSocket AF_UNIX socket to send the pty master to, or null
 * @param noPivot use MS_MOVE + chroot instead of pivot_root (ramfs roots)
 * @param noNewKeyring keep the caller's session keyring
 * @param preserveFds how many fds after stdio (3, 4, ...) the init inherits: this JVM's fds of
 *     those numbers as they are at the spawn, so the caller must have each of them open (a
 *     number it leaves closed may be filled by a file of the JVM or of jrunc; the CLI refuses
 *     that case from what was open when it started)
 * @param stdio the init's stdin/stdout/stderr
 * @param systemdCgroup cgroupsPath is systemd's {@code slice:prefix:name} (runc's --systemd-cgroup)
 * @param pidfdSocket AF_UNIX socket to send a pidfd of init to (runc 1.2's --pidfd-socket), or null
 * @param consoleFd an already connected console socket (a foreground {@code run -t} relays
 *     the terminal itself), or -1
 * @param detach the caller does not stay attached to the container's terminal (create, run -d)
 */
public record CreateOptions(
    Path bundle,
    Path pidFile,
    Path consoleSocket,
    boolean noPivot,
    boolean noNewKeyring,
    int preserveFds,
    Stdio stdio,
    boolean systemdCgroup,
    Path pidfdSocket,
    int consoleFd,
    boolean detach) {

  public static CreateOptions bundle(Path bundle) {
    return new CreateOptions(bundle, null, null, false, false, 0, Stdio.inherit(), false, null, -1, true);
  }

  public CreateOptions withPidFile(Path p) {
    return new CreateOptions(bundle, p, consoleSocket, noPivot, noNewKeyring, preserveFds, stdio, systemdCgroup, pidfdSocket, consoleFd, detach);
  }

  public CreateOptions withConsoleSocket(Path p) {
    return new CreateOptions(bundle, pidFile, p, noPivot, noNewKeyring, preserveFds, stdio, systemdCgroup, pidfdSocket, consoleFd, detach);
  }

  public CreateOptions withNoPivot(boolean b) {
    return new CreateOptions(bundle, pidFile, consoleSocket, b, noNewKeyring, preserveFds, stdio, systemdCgroup, pidfdSocket, consoleFd, detach);
  }

  public CreateOptions withNoNewKeyring(boolean b) {
    return new CreateOptions(bundle, pidFile, consoleSocket, noPivot, b, preserveFds, stdio, systemdCgroup, pidfdSocket, consoleFd, detach);
  }

  public CreateOptions withPreserveFds(int n) {
    return new CreateOptions(bundle, pidFile, consoleSocket, noPivot, noNewKeyring, n, stdio, systemdCgroup, pidfdSocket, consoleFd, detach);
  }

  public CreateOptions withStdio(Stdio s) {
    return new CreateOptions(bundle, pidFile, consoleSocket, noPivot, noNewKeyring, preserveFds, s, systemdCgroup, pidfdSocket, consoleFd, detach);
  }

  public CreateOptions withSystemdCgroup(boolean b) {
    return new CreateOptions(bundle, pidFile, consoleSocket, noPivot, noNewKeyring, preserveFds, stdio, b, pidfdSocket, consoleFd, detach);
  }

  public CreateOptions withPidfdSocket(Path p) {
    return new CreateOptions(bundle, pidFile, consoleSocket, noPivot, noNewKeyring, preserveFds, stdio, systemdCgroup, p, consoleFd, detach);
  }

  public CreateOptions withConsoleFd(int fd) {
    return new CreateOptions(bundle, pidFile, consoleSocket, noPivot, noNewKeyring, preserveFds, stdio, systemdCgroup, pidfdSocket, fd, detach);
  }

  public CreateOptions withDetach(boolean d) {
    return new CreateOptions(bundle, pidFile, consoleSocket, noPivot, noNewKeyring, preserveFds, stdio, systemdCgroup, pidfdSocket, consoleFd, d);
  }
}
