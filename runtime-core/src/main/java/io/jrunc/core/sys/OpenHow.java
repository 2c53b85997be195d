package io.jrunc.core.sys;

import static io.jrunc.core.sys.Struct.*;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct open_how} of openat2(2) ({@code <linux/openat2.h>}, Linux 5.6; 24 bytes, passed
 * with its size):
 *
 * <pre>{@code
 * struct open_how {
 *     __u64 flags;   //  0  O_* (Open)
 *     __u64 mode;    //  8  with O_CREAT
 *     __u64 resolve; // 16  RESOLVE_* (Open)
 * };
 * }</pre>
 */
public final class OpenHow {
  private OpenHow() {}

  public static final Struct LAYOUT = Struct.of("open_how",
      u64("flags"), u64("mode"), u64("resolve"));

  /** {@code OPEN_HOW_SIZE_VER0}: openat2's {@code size} argument. */
  public static final long SIZE_VER0 = LAYOUT.byteSize();

  /** flags, mode, resolve: three consecutive u64, written in one copy. */
  private static final long ALL = LAYOUT.consecutiveLongs("flags", "mode", "resolve");

  /** Where {@link #fields} begin in the struct: for a builder that stages the values. */
  public static final long FIELDS = ALL;

  /** flags, mode, resolve, in the struct's order from {@link #FIELDS}. */
  public static long[] fields(long flags, long mode, long resolve) {
    return new long[] {flags, mode, resolve};
  }

  public static MemorySegment write(MemorySegment how, long flags, long mode, long resolve) {
    Memory.setLongs(how, ALL, flags, mode, resolve);
    return how;
  }
}
