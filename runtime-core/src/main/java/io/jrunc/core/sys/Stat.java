package io.jrunc.core.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * File types in a {@code mode_t} ({@code <sys/stat.h>}: what {@code mknodat(2)} creates and
 * {@code statx(2)} reports), and the device number {@code mknodat(2)} takes.
 */
public final class Stat {
  private Stat() {}

  public static final int S_IFMT = 0170000, S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFDIR = 0040000,
      S_IFBLK = 0060000, S_IFREG = 0100000, S_IFLNK = 0120000, S_IFSOCK = 0140000;

  /**
   * {@code statx(2)}: the fields asked for ({@code mask}) and where {@code struct statx} holds
   * {@code stx_mode} (u16) and {@code stx_size} (u64), in a buffer of {@code STATX_STRUCT} bytes.
   */
  static final int STATX_TYPE = 0x1, STATX_SIZE = 0x200;

  static final int STATX_MODE_OFFSET = 0x1c, STATX_SIZE_OFFSET = 0x28, STATX_STRUCT = 0x100;

  /**
   * The type bits ({@link #S_IFMT}) of {@code path}, a symbolic link itself rather than what it
   * points to ({@code statx} with {@code AT_SYMLINK_NOFOLLOW}), or {@code -errno}: a missing
   * file is an answer, not an exception.
   */
  public static int typeNoFollow(String path) {
    long[] modeSize = new long[2];
    long r = statx(Open.AT_FDCWD, path, Open.AT_SYMLINK_NOFOLLOW, modeSize);
    return r < 0 ? (int) r : (int) modeSize[0] & S_IFMT;
  }

  /**
   * {@code statx(dirfd, path, flags, STATX_TYPE | STATX_SIZE)}: 0 with {@code modeSize} filled
   * ({stx_mode, stx_size}), or {@code -errno}.
   */
  static long statx(int dirfd, String path, int flags, long[] modeSize) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment p = NativeCopy.cString(a, path);
      MemorySegment buf = a.allocate(STATX_STRUCT);
      long r = Libc.syscallRaw(Sys.STATX, dirfd, p.address(), flags, STATX_TYPE | STATX_SIZE, buf.address(), 0);
      if (r < 0) return r;
      modeSize[0] = Short.toUnsignedInt(Memory.getShort(buf, STATX_MODE_OFFSET));
      modeSize[1] = Memory.getLong(buf, STATX_SIZE_OFFSET);
      return 0;
    }
  }

  /** The 32-bit device number mknodat(2) takes (the kernel's new_encode_dev). */
  public static long encodeDev(long major, long minor) {
    return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffL) << 12);
  }
}
