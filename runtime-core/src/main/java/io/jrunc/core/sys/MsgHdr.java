package io.jrunc.core.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

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

  public static final StructLayout LAYOUT = MemoryLayout.structLayout(
      ADDRESS.withName("msg_name"),
      JAVA_INT.withName("msg_namelen"),
      MemoryLayout.paddingLayout(4),
      ADDRESS.withName("msg_iov"),
      JAVA_LONG.withName("msg_iovlen"),
      ADDRESS.withName("msg_control"),
      JAVA_LONG.withName("msg_controllen"),
      JAVA_INT.withName("msg_flags"),
      MemoryLayout.paddingLayout(4)).withName("msghdr");

  static final long NAME = Memory.offset(LAYOUT, "msg_name"),
      NAMELEN = Memory.offset(LAYOUT, "msg_namelen"),
      IOV = Memory.offset(LAYOUT, "msg_iov"),
      IOVLEN = Memory.offset(LAYOUT, "msg_iovlen"),
      CONTROL = Memory.offset(LAYOUT, "msg_control"),
      CONTROLLEN = Memory.offset(LAYOUT, "msg_controllen"),
      FLAGS = Memory.offset(LAYOUT, "msg_flags");

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
