package io.jrunc.core.sys;

import static io.jrunc.core.sys.Struct.*;

import java.lang.foreign.MemorySegment;

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

  public static final Struct LAYOUT = Struct.of("rlimit64",
      u64("rlim_cur"), u64("rlim_max"));

  static final long CUR = LAYOUT.offset("rlim_cur"),
      MAX = LAYOUT.offset("rlim_max");

  public static MemorySegment write(MemorySegment lim, long soft, long hard) {
    Memory.setLong(lim, CUR, soft);
    Memory.setLong(lim, MAX, hard);
    return lim;
  }
}
