package io.jrunc.shim;

import io.jrunc.core.api.host.HostProbes;

/**
 * Whether this shim's tasks are in cgroup v2, decided once per shim by the runtime's own reading
 * of the host's layout ({@link HostProbes#cgroupV2}): there a task's Stats are
 * {@code io.containerd.cgroups.v2.Metrics}, as containerd's runc shim sends on a v2 host; on a
 * v1 or hybrid host they are v1's.
 */
final class CgroupLayout {
  private CgroupLayout() {}

  /** True on a cgroup v2 host (read at the first call). */
  static boolean unified() {
    return Once.UNIFIED;
  }

  private static final class Once {
    static final boolean UNIFIED = HostProbes.cgroupV2();
  }
}
