package io.jrunc.core.api.host;

import io.jrunc.core.security.IdMapper;
import io.jrunc.core.security.SeccompFeatures;
import io.jrunc.spec.Features;
import java.util.List;

/**
 * Read-only questions about this host that a front end asks before it runs anything: the
 * {@code linux.seccomp} section of {@code features}, whether the caller runs in a user
 * namespace ({@code --rootless auto}, the default state root), and whether containers go into
 * cgroup v2 here.
 */
public final class HostProbes {
  private HostProbes() {}

  /**
   * The {@code linux.seccomp} part of {@code features} (runtime-spec features-linux.md): the
   * actions, operators and flags this runtime accepts; whether libseccomp is installed; the
   * architectures it knows and the filter flags this kernel supports (probed as runc does).
   */
  public static Features.Seccomp seccomp() {
    boolean enabled = SeccompFeatures.enabled();
    return new Features.Seccomp(enabled, SeccompFeatures.ACTIONS, SeccompFeatures.OPERATORS,
        enabled ? SeccompFeatures.archs() : List.of(), SeccompFeatures.KNOWN_FLAGS,
        enabled ? SeccompFeatures.supportedFlags() : List.of());
  }

  /**
   * Whether this process runs in a user namespace: {@code /proc/self/uid_map} maps anything
   * but the whole {@code 0 0 4294967295} of the initial one (moby/sys/userns). False when the
   * kernel has no user namespaces.
   */
  public static boolean inUserNamespace() {
    return IdMapper.inUserNamespace();
  }

  /**
   * Whether a container created here goes into cgroup v2: the layout jrunc's cgroup code finds
   * under {@code /sys/fs/cgroup} (a cgroup2 filesystem there, or no v1 hierarchy and a cgroup2
   * below it), for a front end that must say which version it reports (the shim's Stats).
   * False on a v1 or hybrid host, and when no cgroup filesystem is mounted.
   */
  public static boolean cgroupV2() {
    try {
      return io.jrunc.core.cgroup.CgroupHost.current().mounts().layout() == io.jrunc.core.cgroup.Layout.V2;
    } catch (io.jrunc.core.cgroup.CgroupException | java.io.UncheckedIOException e) {
      return false;
    }
  }

  /**
   * How many socket-activation fds create and run pass to the container's init before those of
   * {@code --preserve-fds}: {@code LISTEN_FDS} when {@code LISTEN_PID} is this process's pid,
   * else 0 (runc's rule, {@code io.jrunc.core.terminal.ListenFds}).
   */
  public static int listenFds() {
    return io.jrunc.core.terminal.ListenFds.compute(0).listenFds();
  }
}
