package io.jrunc.core.sys;

import static io.jrunc.core.sys.Struct.*;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct iovec} ({@code <sys/uio.h>}; 16 bytes on 64-bit), one buffer of a
 * {@link MsgHdr}:
 *
 * <pre>{@code
 * struct iovec {
 *     void  *iov_base; // 0
 *     size_t iov_len;  // 8
 * };
 * }</pre>
 */
public final class Iovec {
  private Iovec() {}

  public static final Struct LAYOUT = Struct.of("iovec",
      pointer("iov_base"), u64("iov_len"));

  static final long BASE = LAYOUT.offset("iov_base"),
      LEN = LAYOUT.offset("iov_len");

  public static MemorySegment write(MemorySegment iov, MemorySegment base, long len) {
    Memory.setLong(iov, BASE, base.address());
    Memory.setLong(iov, LEN, len);
    return iov;
  }

  /**
   * The low 32 bits of {@code iov_len} (the field is little endian on x86-64 and aarch64): where
   * a child-program step can store its result as the buffer's length.
   */
  public static MemorySegment lenLow32(MemorySegment iov) {
    return iov.asSlice(LEN, 4);
  }
}
