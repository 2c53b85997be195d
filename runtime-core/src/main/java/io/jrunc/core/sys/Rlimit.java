package io.jrunc.core.sys;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct rlimit64} as prlimit64(2) takes it ({@code <linux/resource.h>}; 16 bytes;
 * {@code RLIM64_INFINITY} is all ones):
 *
 * <pre>{@code
 * struct rlimit64 {
 *     __u64 rlim_cur; // 0  soft
 *     __u64 rlim_max; // 8  hard
 * };
 * }</pre>
 */
public final class Rlimit {
  private Rlimit() {}

  public static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_LONG.withName("rlim_cur"),
      JAVA_LONG.withName("rlim_max")).withName("rlimit64");

  static final long CUR = Memory.offset(LAYOUT, "rlim_cur"),
      MAX = Memory.offset(LAYOUT, "rlim_max");

  public static MemorySegment write(MemorySegment lim, long soft, long hard) {
    Memory.setLong(lim, CUR, soft);
    Memory.setLong(lim, MAX, hard);
    return lim;
  }
}
