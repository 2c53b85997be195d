package io.jrunc.core.container;

import io.jrunc.core.process.ProcessStdio;
import java.nio.file.Path;
import java.util.Map;

/**
 * What {@code exec} was asked for beyond the process itself: the API's {@code ExecOptions} as
 * the container layer reads them (the API builds this).
 *
 * @param stdio the process's standard streams
 * @param preserveFds how many fds after stdio it inherits
 * @param pidFile where to write its pid, or null
 * @param ignorePaused exec even into a paused container
 * @param consoleSocket where to send the pty master when the process has a terminal, or null
 * @param consoleFd an already connected console socket (the caller owns it), or -1
 * @param pidfdSocket AF_UNIX socket to send a pidfd of the process to, or null
 * @param subCgroups controller (or "") to a sub-cgroup of the container's to run it in
 */
public record ExecRequest(ProcessStdio stdio, int preserveFds, Path pidFile, boolean ignorePaused,
    Path consoleSocket, int consoleFd, Path pidfdSocket, Map<String, String> subCgroups) {
  public ExecRequest {
    subCgroups = subCgroups == null ? Map.of() : Map.copyOf(subCgroups);
  }
}
