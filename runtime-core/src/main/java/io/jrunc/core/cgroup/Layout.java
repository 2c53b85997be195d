package io.jrunc.core.cgroup;

/** How the host mounts cgroups (detected at run time by {@link CgroupMounts#parse}). */
public enum Layout {
  /** Only cgroup v1 hierarchies, one per controller (or co-mounted group). */
  V1,
  /** v1 controllers plus a cgroup2 mount (usually /sys/fs/cgroup/unified) that the runtime joins too. */
  HYBRID,
  /** The unified hierarchy only: /sys/fs/cgroup is cgroup2fs. */
  V2;

  /**
   * {@link #valueOf} by a switch: a container's record names its layout and state, kill and
   * delete re-open its cgroup from it, and in a fresh JVM {@code Enum.valueOf} (a reflective
   * call of {@code values()}) cost ~0.7 ms of {@code state}'s Java. Same contract: an unknown
   * name is an IllegalArgumentException, null a NullPointerException.
   */
  public static Layout of(String name) {
    return switch (name) {
      case "V1" -> V1;
      case "HYBRID" -> HYBRID;
      case "V2" -> V2;
      default -> throw new IllegalArgumentException("No enum constant " + Layout.class.getCanonicalName() + "." + name);
    };
  }
}
