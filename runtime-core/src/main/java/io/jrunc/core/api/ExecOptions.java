package io.jrunc.core.api;

import java.nio.file.Path;

/**
 * How to run an extra process in a container: runc's {@code exec} flags that are not part of
 * the process itself.
 *
 * @param stdio the process's standard streams
 * @param preserveFds how many fds after stdio (3, 4, ...) it inherits
 * @param pidFile where to write its pid, or null
 * @param ignorePaused exec even into a paused container
 * @param consoleSocket where to send the pty master when the process has a terminal
 */
public record ExecOptions(Stdio stdio, int preserveFds, Path pidFile, boolean ignorePaused, Path consoleSocket) {
  public static ExecOptions defaults() {
    return new ExecOptions(Stdio.inherit(), 0, null, false, null);
  }

  public ExecOptions withStdio(Stdio s) {
    return new ExecOptions(s, preserveFds, pidFile, ignorePaused, consoleSocket);
  }

  public ExecOptions withPidFile(Path p) {
    return new ExecOptions(stdio, preserveFds, p, ignorePaused, consoleSocket);
  }

  public ExecOptions withPreserveFds(int n) {
    return new ExecOptions(stdio, n, pidFile, ignorePaused, consoleSocket);
  }

  public ExecOptions withIgnorePaused(boolean b) {
    return new ExecOptions(stdio, preserveFds, pidFile, b, consoleSocket);
  }
}
