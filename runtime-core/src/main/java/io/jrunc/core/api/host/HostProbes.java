package io.jrunc.core.api.host;

import io.jrunc.core.security.IdMapper;
import io.jrunc.core.security.SeccompFeatures;
import io.jrunc.spec.Features;
import java.util.List;

/**
 * Read-only questions about this host that a front end asks before it runs anything: the
 * {@code linux.seccomp} section of {@code features}, and whether the caller runs in a user
 * namespace ({@code --rootless auto}, the default state root).
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
   * How many socket-activation fds create and run pass to the container's init before those of
   * {@code --preserve-fds}: {@code LISTEN_FDS} when {@code LISTEN_PID} is this process's pid,
   * else 0 (runc's rule, {@code io.jrunc.core.terminal.ListenFds}).
   */
  public static int listenFds() {
    return io.jrunc.core.terminal.ListenFds.compute(0).listenFds();
  }
}
