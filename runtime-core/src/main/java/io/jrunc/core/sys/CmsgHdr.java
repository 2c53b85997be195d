package io.jrunc.core.sys;

import static io.jrunc.core.sys.Struct.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct cmsghdr} ({@code <sys/socket.h>}; a 16-byte header on 64-bit), one control
 * message in a {@link MsgHdr}'s {@code msg_control} buffer, its data right after the header
 * ({@code CMSG_DATA}):
 *
 * <pre>{@code
 * struct cmsghdr {
 *     size_t cmsg_len;   //  0  CMSG_LEN(data length)
 *     int    cmsg_level; //  8  SOL_SOCKET
 *     int    cmsg_type;  // 12  SCM_RIGHTS
 *     // unsigned char cmsg_data[]; at 16
 * };
 * }</pre>
 *
 * One fd: {@code CMSG_LEN(sizeof(int))} = 20, {@code CMSG_SPACE(sizeof(int))} = 24.
 */
public final class CmsgHdr {
  private CmsgHdr() {}

  public static final Struct LAYOUT = Struct.of("cmsghdr",
      u64("cmsg_len"), u32("cmsg_level"), u32("cmsg_type"));

  static final long LEN = LAYOUT.offset("cmsg_len"),
      LEVEL = LAYOUT.offset("cmsg_level"),
      TYPE = LAYOUT.offset("cmsg_type"),
      DATA = align(LAYOUT.byteSize());

  /** {@code CMSG_LEN(sizeof(int))}: the {@code cmsg_len} of a message carrying one fd. */
  public static final long LEN_ONE_FD = DATA + JAVA_INT.byteSize();
  /** {@code CMSG_SPACE(sizeof(int))}: the control buffer one fd needs. */
  public static final long SPACE_ONE_FD = DATA + align(JAVA_INT.byteSize());

  /**
   * An {@code SCM_RIGHTS} message carrying {@code fd}, in a buffer of at least
   * {@link #SPACE_ONE_FD} bytes.
   */
  public static MemorySegment writeOneFd(MemorySegment cmsg, int fd) {
    Memory.setLong(cmsg, LEN, LEN_ONE_FD);
    Memory.setInt(cmsg, LEVEL, Socket.SOL_SOCKET);
    Memory.setInt(cmsg, TYPE, Socket.SCM_RIGHTS);
    Memory.setInt(cmsg, DATA, fd);
    return cmsg;
  }

  /** The fd of a {@link #writeOneFd} message: where a child-program step can store it. */
  public static MemorySegment fdSlot(MemorySegment cmsg) {
    return cmsg.asSlice(DATA, JAVA_INT.byteSize());
  }

  /**
   * The first fd of the {@code SCM_RIGHTS} message at the start of a received control buffer of
   * {@code controlLen} bytes ({@code msg_controllen}), or -1 if none came. Any further fds are
   * closed at once, so a misbehaving peer's extra fds are not leaked.
   */
  static int firstReceivedFd(MemorySegment control, long controlLen) {
    if (controlLen < LEN_ONE_FD) return -1;
    long len = Memory.getLong(control, LEN);
    if (Memory.getInt(control, LEVEL) != Socket.SOL_SOCKET || Memory.getInt(control, TYPE) != Socket.SCM_RIGHTS
        || len < LEN_ONE_FD) {
      return -1;
    }
    long count = (Math.min(len, controlLen) - DATA) / JAVA_INT.byteSize();
    int first = Memory.getInt(control, DATA);
    for (long i = 1; i < count; i++) Libc.close(Memory.getInt(control, DATA + JAVA_INT.byteSize() * i));
    return first;
  }

  /** {@code CMSG_ALIGN}: to a multiple of {@code sizeof(size_t)}. */
  private static long align(long n) {
    return (n + 7) & ~7L;
  }
}
