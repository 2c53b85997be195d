package io.jrunc.core.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
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

  static final long SIZE = LAYOUT.byteOffset(groupElement("size")),
      POLICY = LAYOUT.byteOffset(groupElement("sched_policy")),
      FLAGS = LAYOUT.byteOffset(groupElement("sched_flags")),
      NICE = LAYOUT.byteOffset(groupElement("sched_nice")),
      PRIORITY = LAYOUT.byteOffset(groupElement("sched_priority")),
      RUNTIME = LAYOUT.byteOffset(groupElement("sched_runtime")),
      DEADLINE = LAYOUT.byteOffset(groupElement("sched_deadline")),
      PERIOD = LAYOUT.byteOffset(groupElement("sched_period"));

  /** Writes every field, {@code size} = {@link #SIZE_VER0}. */
  public static MemorySegment write(MemorySegment attr, int policy, long flags, int nice, int priority, long runtime,
      long deadline, long period) {
    attr.set(JAVA_INT, SIZE, (int) SIZE_VER0);
    attr.set(JAVA_INT, POLICY, policy);
    attr.set(JAVA_LONG, FLAGS, flags);
    attr.set(JAVA_INT, NICE, nice);
    attr.set(JAVA_INT, PRIORITY, priority);
    attr.set(JAVA_LONG, RUNTIME, runtime);
    attr.set(JAVA_LONG, DEADLINE, deadline);
    attr.set(JAVA_LONG, PERIOD, period);
    return attr;
  }
}
