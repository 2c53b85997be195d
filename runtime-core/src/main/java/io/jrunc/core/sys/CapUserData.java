package io.jrunc.core.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;

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

  public static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_INT.withName("effective"),
      JAVA_INT.withName("permitted"),
      JAVA_INT.withName("inheritable")).withName("__user_cap_data_struct");

  /** What a version 3 capset takes: {@code struct __user_cap_data_struct[2]}. */
  public static final SequenceLayout V3 = MemoryLayout.sequenceLayout(2, LAYOUT);

  static final long EFFECTIVE = Memory.offset(LAYOUT, "effective"),
      PERMITTED = Memory.offset(LAYOUT, "permitted"),
      INHERITABLE = Memory.offset(LAYOUT, "inheritable");

  /** Writes the three 64-bit sets (bit n: capability n) as {@link #V3}'s two words each. */
  public static MemorySegment writeV3(MemorySegment data, long effective, long permitted, long inheritable) {
    for (int w = 0; w < V3.elementCount(); w++) {
      long base = LAYOUT.byteSize() * w;
      Memory.setInt(data, base + EFFECTIVE, (int) (effective >>> (32 * w)));
      Memory.setInt(data, base + PERMITTED, (int) (permitted >>> (32 * w)));
      Memory.setInt(data, base + INHERITABLE, (int) (inheritable >>> (32 * w)));
    }
    return data;
  }
}
