package io.jrunc.core.sys;

import static io.jrunc.core.sys.Struct.*;

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

  /** Where {@link #fields} begin: for a builder that stages the values. */
  public static final long FIELDS = LAYOUT.consecutiveLongs("rlim_cur", "rlim_max");

  /** soft, hard as consecutive u64 from {@link #FIELDS}. */
  public static long[] fields(long soft, long hard) {
    return new long[] {soft, hard};
  }
}
