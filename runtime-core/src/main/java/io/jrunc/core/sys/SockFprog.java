package io.jrunc.core.sys;

import static io.jrunc.core.sys.Struct.*;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct sock_fprog} ({@code <linux/filter.h>}), the classic-BPF program that
 * {@code seccomp(SECCOMP_SET_MODE_FILTER, ...)} loads; 16 bytes on 64-bit, the pointer at 8:
 *
 * <pre>{@code
 * struct sock_fprog {
 *     unsigned short len;         //  0  number of 8-byte instructions
 *                                 //  2  (6 bytes of padding)
 *     struct sock_filter *filter; //  8
 * };
 * }</pre>
 */
public final class SockFprog {
  private SockFprog() {}

  public static final Struct LAYOUT = Struct.of("sock_fprog",
      u16("len"), padding(6), pointer("filter"));

  static final long LEN = LAYOUT.offset("len"),
      FILTER = LAYOUT.offset("filter");

  /** {@code instructions} is the count, not the byte size, of {@code filter}. */
  public static MemorySegment write(MemorySegment fprog, int instructions, MemorySegment filter) {
    Memory.setShort(fprog, LEN, (short) instructions);
    Memory.setLong(fprog, FILTER, filter.address());
    return fprog;
  }
}
