package io.jrunc.core.sys;

import static io.jrunc.core.sys.Struct.*;

/**
 * {@code struct __user_cap_data_struct} of capget(2)/capset(2) ({@code <linux/capability.h>};
 * 12 bytes). With {@link CapUserHeader#VERSION_3} the call takes two of them
 * ({@code _LINUX_CAPABILITY_U32S_3}, {@link #V3}, 24 bytes): the low 32 capabilities, then the
 * high ones.
 *
 * <pre>{@code
 * typedef struct __user_cap_data_struct {
 *     __u32 effective;   // 0
 *     __u32 permitted;   // 4
 *     __u32 inheritable; // 8
 * } *cap_user_data_t;
 * }</pre>
 */
public final class CapUserData {
  private CapUserData() {}

  public static final Struct LAYOUT = Struct.of("__user_cap_data_struct",
      u32("effective"), u32("permitted"), u32("inheritable"));

  /** {@code _LINUX_CAPABILITY_U32S_3}: a version 3 capset's number of 32-bit words. */
  static final int V3_WORDS = 2;

  /** What a version 3 capset takes: {@code struct __user_cap_data_struct[2]}. */
  public static final Struct V3 = Struct.array(LAYOUT, V3_WORDS);

  static final long EFFECTIVE = LAYOUT.offset("effective"),
      PERMITTED = LAYOUT.offset("permitted"),
      INHERITABLE = LAYOUT.offset("inheritable");

  /** Where {@link #v3Fields} begin in {@link #V3}: for a builder that stages the values. */
  public static final long FIELDS = 0;

  static {
    if (EFFECTIVE != 0 || PERMITTED != 4 || INHERITABLE != 8 || LAYOUT.byteSize() != 12) {
      throw new ExceptionInInitializerError("__user_cap_data_struct is not three consecutive u32");
    }
  }

  /** The three 64-bit sets as {@link #V3}'s consecutive u32, from {@link #FIELDS}. */
  public static int[] v3Fields(long effective, long permitted, long inheritable) {
    int[] v = new int[3 * V3_WORDS];
    for (int w = 0; w < V3_WORDS; w++) {
      v[3 * w] = (int) (effective >>> (32 * w));
      v[3 * w + 1] = (int) (permitted >>> (32 * w));
      v[3 * w + 2] = (int) (inheritable >>> (32 * w));
    }
    return v;
  }
}
