package io.jrunc.core.rootfs;

/**
 * Linux constants for mounting (x86-64 and aarch64 share them): {@code <sys/mount.h>},
 * {@code <linux/mount.h>}, {@code <linux/openat2.h>}, {@code <fcntl.h>}. Package-private: the
 * child program is planned here and nowhere else.
 */
final class K {
  private K() {}

  static final long AT_FDCWD = -100;
  static final long AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000, AT_RECURSIVE = 0x8000;

  static final long O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0100, O_EXCL = 0200, O_NOCTTY = 0400,
      O_TRUNC = 01000, O_NONBLOCK = 04000, O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000,
      O_CLOEXEC = 02000000, O_PATH = 010000000;

  /** {@code struct open_how.resolve} bits (openat2(2), Linux 5.6). */
  static final long RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04,
      RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10;

  static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16,
      MS_REMOUNT = 32, MS_MANDLOCK = 64, MS_DIRSYNC = 128, MS_NOSYMFOLLOW = 256, MS_NOATIME = 1024,
      MS_NODIRATIME = 2048, MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384, MS_SILENT = 32768,
      MS_POSIXACL = 1 << 16, MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19,
      MS_SHARED = 1 << 20, MS_RELATIME = 1 << 21, MS_I_VERSION = 1 << 23, MS_STRICTATIME = 1 << 24,
      MS_LAZYTIME = 1 << 25;

  /** {@code struct mount_attr} bits (mount_setattr(2), fsmount(2)). */
  static final long MOUNT_ATTR_RDONLY = 0x1, MOUNT_ATTR_NOSUID = 0x2, MOUNT_ATTR_NODEV = 0x4,
      MOUNT_ATTR_NOEXEC = 0x8, MOUNT_ATTR__ATIME = 0x70, MOUNT_ATTR_RELATIME = 0,
      MOUNT_ATTR_NOATIME = 0x10, MOUNT_ATTR_STRICTATIME = 0x20, MOUNT_ATTR_NODIRATIME = 0x80,
      MOUNT_ATTR_IDMAP = 0x100000, MOUNT_ATTR_NOSYMFOLLOW = 0x200000;

  static final long OPEN_TREE_CLONE = 1, OPEN_TREE_CLOEXEC = O_CLOEXEC;
  static final long MOVE_MOUNT_F_EMPTY_PATH = 0x04, MOVE_MOUNT_T_EMPTY_PATH = 0x40;
  static final long FSOPEN_CLOEXEC = 1, FSMOUNT_CLOEXEC = 1;
  static final long FSCONFIG_SET_FLAG = 0, FSCONFIG_SET_STRING = 1, FSCONFIG_CMD_CREATE = 6, FSCONFIG_CMD_RECONFIGURE = 7;
  static final long FSPICK_CLOEXEC = 1, FSPICK_EMPTY_PATH = 8;
  static final long MNT_DETACH = 2;

  static final long S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFDIR = 0040000, S_IFBLK = 0060000,
      S_IFREG = 0100000;

  /** The 32-bit device number mknodat(2) takes (the kernel's new_encode_dev). */
  static long encodeDev(long major, long minor) {
    return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffL) << 12);
  }
}
