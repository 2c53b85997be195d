package io.jrunc.core.sys;

import static io.jrunc.core.sys.Struct.*;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct sched_attr} of sched_setattr(2) ({@code <linux/sched/types.h>}), the first
 * version ({@code SCHED_ATTR_SIZE_VER0}, 48 bytes; the kernel reads {@code size} bytes, so the
 * later utilisation-clamp fields are simply absent):
 *
 * <pre>{@code
 * struct sched_attr {
 *     __u32 size;           //  0
 *     __u32 sched_policy;   //  4
 *     __u64 sched_flags;    //  8
 *     __s32 sched_nice;     // 16
 *     __u32 sched_priority; // 20
 *     __u64 sched_runtime;  // 24  SCHED_DEADLINE, in ns
 *     __u64 sched_deadline; // 32
 *     __u64 sched_period;   // 40
 * };
 * }</pre>
 */
public final class SchedAttr {
  private SchedAttr() {}

  public static final Struct LAYOUT = Struct.of("sched_attr",
      u32("size"), u32("sched_policy"), u64("sched_flags"), u32("sched_nice"), u32("sched_priority"),
      u64("sched_runtime"), u64("sched_deadline"), u64("sched_period"));

  /** {@code SCHED_ATTR_SIZE_VER0}: what {@code size} says. */
  public static final long SIZE_VER0 = LAYOUT.byteSize();

  static final long SIZE = LAYOUT.offset("size"),
      POLICY = LAYOUT.offset("sched_policy"),
      FLAGS = LAYOUT.offset("sched_flags"),
      NICE = LAYOUT.offset("sched_nice"),
      PRIORITY = LAYOUT.offset("sched_priority"),
      RUNTIME = LAYOUT.offset("sched_runtime"),
      DEADLINE = LAYOUT.offset("sched_deadline"),
      PERIOD = LAYOUT.offset("sched_period");

  /** Writes every field, {@code size} = {@link #SIZE_VER0}. */
  public static MemorySegment write(MemorySegment attr, int policy, long flags, int nice, int priority, long runtime,
      long deadline, long period) {
    Memory.setInt(attr, SIZE, (int) SIZE_VER0);
    Memory.setInt(attr, POLICY, policy);
    Memory.setLong(attr, FLAGS, flags);
    Memory.setInt(attr, NICE, nice);
    Memory.setInt(attr, PRIORITY, priority);
    Memory.setLong(attr, RUNTIME, runtime);
    Memory.setLong(attr, DEADLINE, deadline);
    Memory.setLong(attr, PERIOD, period);
    return attr;
  }
}
