package io.jrunc.core.container;

import io.jrunc.core.process.ProcessStdio;
import java.nio.file.Path;

/**
 * What {@code create} was asked for: the API's {@code CreateOptions} as the container layer
 * reads them (the API builds this; the layer does not know the API's types).
 *
 * @param bundle the bundle directory (holds config.json)
 * @param pidFile where to write init's pid, or null
 * @param consoleSocket AF_UNIX socket to send the pty master to, or null
 * @param noPivot MS_MOVE + chroot instead of pivot_root
 * @param noNewKeyring keep the caller's session keyring
 * @param preserveFds how many fds after stdio the init inherits
 * @param stdio the init's standard streams
 * @param systemdCgroup cgroupsPath is systemd's {@code slice:prefix:name}
 * @param pidfdSocket AF_UNIX socket to send a pidfd of init to, or null
 * @param consoleFd an already connected console socket, or -1
 * @param detach the caller does not stay attached to the container's terminal
 */
public record CreateRequest(
    Path bundle,
    Path pidFile,
    Path consoleSocket,
    boolean noPivot,
    boolean noNewKeyring,
    int preserveFds,
    ProcessStdio stdio,
    boolean systemdCgroup,
    Path pidfdSocket,
    int consoleFd,
    boolean detach) {}
