package io.jrunc.core.sys;

import static io.jrunc.core.sys.Struct.*;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct mount_attr} of mount_setattr(2) ({@code <linux/mount.h>}, Linux 5.12;
 * {@code MOUNT_ATTR_SIZE_VER0}, 32 bytes, passed with its size):
 *
 * <pre>{@code
 * struct mount_attr {
 *     __u64 attr_set;    //  0  MOUNT_ATTR_* to set (Mount)
 *     __u64 attr_clr;    //  8  MOUNT_ATTR_* to clear
 *     __u64 propagation; // 16  MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE
 *     __u64 userns_fd;   // 24  with MOUNT_ATTR_IDMAP
 * };
 * }</pre>
 */
public final class MountAttr {
  private MountAttr() {}

  public static final Struct LAYOUT = Struct.of("mount_attr",
      u64("attr_set"), u64("attr_clr"), u64("propagation"), u64("userns_fd"));

  /** {@code MOUNT_ATTR_SIZE_VER0}: mount_setattr's {@code size} argument. */
  public static final long SIZE_VER0 = LAYOUT.byteSize();

  /** attr_set, attr_clr, propagation, userns_fd: four consecutive u64, written in one copy. */
  private static final long ALL = LAYOUT.consecutiveLongs("attr_set", "attr_clr", "propagation", "userns_fd");

  /** Where {@link #fields} begin in the struct: for a builder that stages the values. */
  public static final long FIELDS = ALL;

  /** attr_set, attr_clr, propagation, userns_fd, in the struct's order from {@link #FIELDS}. */
  public static long[] fields(long set, long clr, long propagation, long usernsFd) {
    return new long[] {set, clr, propagation, usernsFd};
  }

  public static MemorySegment write(MemorySegment attr, long set, long clr, long propagation, long usernsFd) {
    Memory.setLongs(attr, ALL, set, clr, propagation, usernsFd);
    return attr;
  }
}
