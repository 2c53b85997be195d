package io.jrunc.core.container;

import io.jrunc.core.cgroup.CgroupManager;
import io.jrunc.core.process.Namespaces;
import io.jrunc.core.rootfs.RootfsSetup;
import io.jrunc.core.security.IdMapper;
import io.jrunc.core.security.SecurityPlan;
import io.jrunc.core.terminal.ListenFds;
import io.jrunc.core.terminal.NotifySocket;
import io.jrunc.spec.Spec;
import java.nio.file.Path;

/**
 * Everything create decided before it makes anything ({@link CreatePlanner}): the config as the
 * container gets it (with the runtime's additions: NOTIFY_SOCKET, LISTEN_FDS, the resolved
 * rootfs), the namespaces, the cgroup manager (its paths computed, nothing made), the security
 * plan (seccomp compiled), the rootfs plan and the init's executable. A config error can only
 * come out of building this record; {@link CreateResources} and {@link InitSpawn} only act on it.
 *
 * <p>The record holds no host object but memory and, for id-mapped bind mounts, the parent's
 * detached mount fds ({@link RootfsSetup#close()}): {@link #close()} releases them.
 *
 * @param homeEnv process.env with HOME from the image's /etc/passwd when it has none (spec's
 *     has none yet): offered to the helper while planning goes on, taken by
 *     the init program's compile ({@link CreateHelper})
 * @param homePaths the paths HOME's lookup in the image resolved (filled by the time homeEnv is
 *     taken): a mount or masked path over one of them makes the compile look HOME up again in
 *     the planned tree
 * @param notifySocket the sd_notify passthrough, or null without NOTIFY_SOCKET (its directory is made
 *     by {@link CreateResources})
 * @param cgroupDirs the container's cgroup directories the rootfs was planned with (a cgroup
 *     mount without a cgroup namespace binds them); acquire plans again if the cgroup it made
 *     has others (rootless, not permitted)
 * @param idHost the host facts the id maps are written with; null without a new user namespace
 * @param replanRootfs the rootfs plan must be made again once the notify directory exists: the
 *     parent opens bind sources for a new user namespace, and that one did not exist yet
 */
record CreatePlan(
    String id,
    CreateRequest options,
    Path bundle,
    Path rootfs,
    Spec spec,
    CreateHelper.Offered<java.util.List<String>> homeEnv,
    java.util.List<String> homePaths,
    boolean terminal,
    NotifySocket.Prepared notifySocket,
    ListenFds.Result listen,
    long uid,
    Namespaces namespaces,
    SecurityPlan security,
    String executable,
    CgroupManager cgroup,
    boolean rootless,
    RootfsSetup rootfsSetup,
    java.util.Map<String, Path> cgroupDirs,
    boolean replanRootfs,
    boolean hookPause,
    IdMapper.Host idHost,
    boolean setgroups)
    implements AutoCloseable {

  /** One line for logs and the AOT training run: what would be made. */
  String summary() {
    return "container " + id + ": rootfs " + rootfs + ", executable " + executable + ", namespaces "
        + Long.toHexString(namespaces.cloneFlags()) + " joins " + namespaces.joinedTypes() + ", cgroup "
        + cgroup.driver() + " " + cgroup.paths().values() + (rootfsSetup == null ? ", chroot" : ", pivot");
  }

  @Override
  public void close() {
    security.close();
    if (rootfsSetup != null) rootfsSetup.close();
  }
}
