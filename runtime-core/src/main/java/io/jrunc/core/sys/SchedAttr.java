package io.jrunc.core.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

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

  public static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_INT.withName("size"),
      JAVA_INT.withName("sched_policy"),
      JAVA_LONG.withName("sched_flags"),
      JAVA_INT.withName("sched_nice"),
      JAVA_INT.withName("sched_priority"),
      JAVA_LONG.withName("sched_runtime"),
      JAVA_LONG.withName("sched_deadline"),
      JAVA_LONG.withName("sched_period")).withName("sched_attr");

  /** {@code SCHED_ATTR_SIZE_VER0}: what {@code size} says. */
  public static final long SIZE_VER0 = LAYOUT.byteSize();

  static final long SIZE = Memory.offset(LAYOUT, "size"),
      POLICY = Memory.offset(LAYOUT, "sched_policy"),
      FLAGS = Memory.offset(LAYOUT, "sched_flags"),
      NICE = Memory.offset(LAYOUT, "sched_nice"),
      PRIORITY = Memory.offset(LAYOUT, "sched_priority"),
      RUNTIME = Memory.offset(LAYOUT, "sched_runtime"),
      DEADLINE = Memory.offset(LAYOUT, "sched_deadline"),
      PERIOD = Memory.offset(LAYOUT, "sched_period");

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
