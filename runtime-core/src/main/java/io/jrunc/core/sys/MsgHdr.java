package io.jrunc.core.sys;

import static io.jrunc.core.sys.Struct.*;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct msghdr} of sendmsg(2)/recvmsg(2) ({@code <sys/socket.h>}; 56 bytes on x86-64
 * and aarch64):
 *
 * <pre>{@code
 * struct msghdr {
 *     void         *msg_name;       //  0  NULL on a connected socket
 *     socklen_t     msg_namelen;    //  8  (4 bytes of padding)
 *     struct iovec *msg_iov;        // 16  Iovec
 *     size_t        msg_iovlen;     // 24
 *     void         *msg_control;    // 32  CmsgHdr
 *     size_t        msg_controllen; // 40  recvmsg: what came
 *     int           msg_flags;      // 48  recvmsg: MSG_* (4 bytes of padding)
 * };
 * }</pre>
 */
public final class MsgHdr {
  private MsgHdr() {}

  public static final Struct LAYOUT = Struct.of("msghdr",
      pointer("msg_name"), u32("msg_namelen"), padding(4), pointer("msg_iov"), u64("msg_iovlen"),
      pointer("msg_control"), u64("msg_controllen"), u32("msg_flags"), padding(4));

  static final long NAME = LAYOUT.offset("msg_name"),
      NAMELEN = LAYOUT.offset("msg_namelen"),
      IOV = LAYOUT.offset("msg_iov"),
      IOVLEN = LAYOUT.offset("msg_iovlen"),
      CONTROL = LAYOUT.offset("msg_control"),
      CONTROLLEN = LAYOUT.offset("msg_controllen"),
      FLAGS = LAYOUT.offset("msg_flags");

  /**
   * Writes every field ({@code msg_flags} 0). {@code name} and {@code control} may be
   * {@link MemorySegment#NULL} with a length of 0.
   */
  public static MemorySegment write(MemorySegment msg, MemorySegment name, int nameLen, MemorySegment iov, long iovLen,
      MemorySegment control, long controlLen) {
    Memory.setLong(msg, NAME, name.address());
    Memory.setInt(msg, NAMELEN, nameLen);
    Memory.setLong(msg, IOV, iov.address());
    Memory.setLong(msg, IOVLEN, iovLen);
    Memory.setLong(msg, CONTROL, control.address());
    Memory.setLong(msg, CONTROLLEN, controlLen);
    Memory.setInt(msg, FLAGS, 0);
    return msg;
  }

  /** {@code msg_controllen} after recvmsg: how much of the control buffer the kernel filled. */
  static long controlLen(MemorySegment msg) {
    return Memory.getLong(msg, CONTROLLEN);
  }
}
