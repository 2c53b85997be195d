package io.jrunc.core.cgroup;

/** How the host mounts cgroups (detected at run time by {@link CgroupMounts#parse}). */
public enum Layout {
  /** Only cgroup v1 hierarchies, one per controller (or co-mounted group). */
  V1,
  /** v1 controllers plus a cgroup2 mount (usually /sys/fs/cgroup/unified) that the runtime joins too. */
  HYBRID,
  /** The unified hierarchy only: /sys/fs/cgroup is cgroup2fs. */
  V2
}
