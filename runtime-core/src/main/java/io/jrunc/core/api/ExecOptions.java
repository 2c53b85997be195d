package io.jrunc.core.api;

import java.nio.file.Path;
import java.util.Map;

/**
 * How to run an extra process in a container: runc's {@code exec} flags that are not part of
 * the process itself.
 *
 * <p>A process with {@code terminal: true} needs a console socket ({@code consoleSocket}, the
 * engine's listening socket, or {@code consoleFd}, an already connected one such as
 * {@link io.jrunc.core.terminal.TerminalRelay#childSocketFd()}); its {@code stdio} is then
 * ignored (the terminal is its stdio).
 *
 * @param stdio the process's standard streams
 * @param preserveFds how many fds after stdio (3, 4, ...) it inherits
 * @param pidFile where to write its pid, or null
 * @param ignorePaused exec even into a paused container
 * @param consoleSocket where to send the pty master when the process has a terminal, or null
 * @param consoleFd an already connected console socket (stays open: the caller owns it), or -1
 * @param pidfdSocket AF_UNIX socket to send a pidfd of the process to (runc 1.2's
 *     {@code --pidfd-socket}, payload "setns"), or null
 * @param subCgroups runc's {@code --cgroup}: controller (or "" for every hierarchy, the only
 *     form on v2) to an existing sub-cgroup of the container's cgroup to run the process in;
 *     empty for the container's cgroup itself
 */
public record ExecOptions(Stdio stdio, int preserveFds, Path pidFile, boolean ignorePaused, Path consoleSocket,
    int consoleFd, Path pidfdSocket, Map<String, String> subCgroups) {
  public ExecOptions {
    subCgroups = subCgroups == null ? Map.of() : Map.copyOf(subCgroups);
  }

  public static ExecOptions defaults() {
    return new ExecOptions(Stdio.inherit(), 0, null, false, null, -1, null, Map.of());
  }

  public ExecOptions withSubCgroups(Map<String, String> m) {
    return new ExecOptions(stdio, preserveFds, pidFile, ignorePaused, consoleSocket, consoleFd, pidfdSocket, m);
  }

  public ExecOptions withStdio(Stdio s) {
    return new ExecOptions(s, preserveFds, pidFile, ignorePaused, consoleSocket, consoleFd, pidfdSocket, subCgroups);
  }

  public ExecOptions withPidFile(Path p) {
    return new ExecOptions(stdio, preserveFds, p, ignorePaused, consoleSocket, consoleFd, pidfdSocket, subCgroups);
  }

  public ExecOptions withPreserveFds(int n) {
    return new ExecOptions(stdio, n, pidFile, ignorePaused, consoleSocket, consoleFd, pidfdSocket, subCgroups);
  }

  public ExecOptions withIgnorePaused(boolean b) {
    return new ExecOptions(stdio, preserveFds, pidFile, b, consoleSocket, consoleFd, pidfdSocket, subCgroups);
  }

  public ExecOptions withConsoleSocket(Path p) {
    return new ExecOptions(stdio, preserveFds, pidFile, ignorePaused, p, consoleFd, pidfdSocket, subCgroups);
  }

  public ExecOptions withConsoleFd(int fd) {
    return new ExecOptions(stdio, preserveFds, pidFile, ignorePaused, consoleSocket, fd, pidfdSocket, subCgroups);
  }

  public ExecOptions withPidfdSocket(Path p) {
    return new ExecOptions(stdio, preserveFds, pidFile, ignorePaused, consoleSocket, consoleFd, p, subCgroups);
  }
}
