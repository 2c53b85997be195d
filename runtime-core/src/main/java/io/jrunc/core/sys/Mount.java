package io.jrunc.core.sys;

/**
 * Mount flags, the same on x86-64 and aarch64: {@code mount(2)}'s {@code MS_*}
 * ({@code <sys/mount.h>}) and the new mount API's ({@code <linux/mount.h>}: open_tree,
 * move_mount, fsopen, fsconfig, fsmount, fspick, mount_setattr and {@link MountAttr}'s bits),
 * {@code umount2(2)}'s {@code MNT_DETACH}. {@code long}: {@code mountflags} is an
 * {@code unsigned long}, the {@code mount_attr} fields are {@code __u64}.
 */
public final class Mount {
  private Mount() {}

  public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16,
      MS_REMOUNT = 32, MS_MANDLOCK = 64, MS_DIRSYNC = 128, MS_NOSYMFOLLOW = 256, MS_NOATIME = 1024,
      MS_NODIRATIME = 2048, MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384, MS_SILENT = 32768,
      MS_POSIXACL = 1 << 16, MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19,
      MS_SHARED = 1 << 20, MS_RELATIME = 1 << 21, MS_I_VERSION = 1 << 23, MS_STRICTATIME = 1 << 24,
      MS_LAZYTIME = 1 << 25;

  /** {@code struct mount_attr} bits (mount_setattr(2), fsmount(2)). */
  public static final long MOUNT_ATTR_RDONLY = 0x1, MOUNT_ATTR_NOSUID = 0x2, MOUNT_ATTR_NODEV = 0x4,
      MOUNT_ATTR_NOEXEC = 0x8, MOUNT_ATTR__ATIME = 0x70, MOUNT_ATTR_RELATIME = 0,
      MOUNT_ATTR_NOATIME = 0x10, MOUNT_ATTR_STRICTATIME = 0x20, MOUNT_ATTR_NODIRATIME = 0x80,
      MOUNT_ATTR_IDMAP = 0x100000, MOUNT_ATTR_NOSYMFOLLOW = 0x200000;

  public static final long OPEN_TREE_CLONE = 1, OPEN_TREE_CLOEXEC = Open.O_CLOEXEC;
  public static final long MOVE_MOUNT_F_EMPTY_PATH = 0x04, MOVE_MOUNT_T_EMPTY_PATH = 0x40;
  public static final long FSOPEN_CLOEXEC = 1, FSMOUNT_CLOEXEC = 1;
  public static final long FSCONFIG_SET_FLAG = 0, FSCONFIG_SET_STRING = 1, FSCONFIG_CMD_CREATE = 6,
      FSCONFIG_CMD_RECONFIGURE = 7;
  public static final long FSPICK_CLOEXEC = 1, FSPICK_EMPTY_PATH = 8;
  public static final long MNT_DETACH = 2;
}
