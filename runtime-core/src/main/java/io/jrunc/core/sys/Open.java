package io.jrunc.core.sys;

/**
 * Flags of the calls that open and name files, the same on x86-64 and aarch64:
 * {@code open(2)}/{@code openat(2)} ({@code <fcntl.h>}), the {@code *at(2)} calls' {@code AT_*},
 * {@code openat2(2)}'s {@code struct open_how.resolve} ({@code <linux/openat2.h>}, Linux 5.6),
 * the {@code fcntl(2)} commands jrunc uses, and {@code close_range(2)}'s flags
 * ({@code <linux/close_range.h>}, Linux 5.11). The one copy of these values: the parent's calls
 * and the child programs both use it.
 */
public final class Open {
  private Open() {}

  public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200,
      O_NOCTTY = 0400, O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000, O_DIRECTORY = 0200000,
      O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000, O_PATH = 010000000;

  /** The {@code dirfd} that means the current directory. */
  public static final int AT_FDCWD = -100;
  public static final int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000,
      AT_RECURSIVE = 0x8000;
  /** {@code faccessat2}: check with the effective ids and capabilities, as execve does (AT_REMOVEDIR's bit, another call's flag). */
  public static final int AT_EACCESS = 0x200;
  /** {@code faccessat2} mode: may it be executed. */
  public static final int X_OK = 1;

  /** {@code struct open_how.resolve} bits ({@link OpenHow}). */
  public static final int RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04,
      RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10;

  /** {@code fcntl(2)} commands. */
  public static final int F_SETFD = 2, F_DUPFD_CLOEXEC = 1030;

  /** {@code close_range(2)}: mark close-on-exec instead of closing. */
  public static final int CLOSE_RANGE_CLOEXEC = 1 << 2;
}
