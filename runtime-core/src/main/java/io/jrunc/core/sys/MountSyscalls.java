package io.jrunc.core.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The new mount API as the parent (the JVM) calls it, for what must happen in the host's user
 * namespace before the child exists: an id-mapped mount needs CAP_SYS_ADMIN over the source's
 * superblock, which a child in a new user namespace does not have (runc prepares these mounts
 * in its parent too and hands the detached mount to the child as an fd). Raw syscalls through
 * {@link Libc#syscallRaw}; glibc 2.36+ wrappers are not assumed.
 */
public final class MountSyscalls {
  private MountSyscalls() {}

  /** {@code int open_tree(int dirfd, const char *path, unsigned int flags);} (Linux 5.2) */
  public static int openTree(int dirfd, String path, long flags, String what) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment p = NativeCopy.cString(arena, path);
      long r = Libc.syscallRaw(Sys.OPEN_TREE, dirfd, p.address(), flags, 0, 0, 0);
      if (r < 0) throw new SysException(what, null, (int) -r);
      return (int) r;
    }
  }

  /**
   * {@code int mount_setattr(int dirfd, const char *path, unsigned int flags, struct mount_attr *attr, size_t size);}
   * (Linux 5.12) with a {@link MountAttr} on the mount {@code fd} refers to ({@code AT_EMPTY_PATH}
   * is added).
   */
  public static void mountSetattr(int fd, long flags, long set, long clr, long propagation, long usernsFd, String what)
      throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment p = NativeCopy.cString(arena, "");
      MemorySegment attr = MountAttr.write(MountAttr.LAYOUT.allocate(arena), set, clr, propagation, usernsFd);
      long r = Libc.syscallRaw(Sys.MOUNT_SETATTR, fd, p.address(), flags | Open.AT_EMPTY_PATH, attr.address(),
          attr.byteSize(), 0);
      if (r < 0) throw new SysException(what, null, (int) -r);
    }
  }

  /**
   * {@code long openat2(int dirfd, const char *path, struct open_how *how, size_t size);} (Linux 5.6)
   * with an {@link OpenHow}. Returns the fd.
   */
  public static int openat2(int dirfd, String path, long flags, long mode, long resolve, String what) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment p = NativeCopy.cString(arena, path);
      MemorySegment how = OpenHow.write(OpenHow.LAYOUT.allocate(arena), flags, mode, resolve);
      long r;
      do {
        r = Libc.syscallRaw(Sys.OPENAT2, dirfd, p.address(), how.address(), how.byteSize(), 0, 0);
      } while (r == -Errno.EINTR);
      if (r < 0) throw new SysException(what, null, (int) -r);
      return (int) r;
    }
  }

  /** {@code ssize_t readlinkat(int dirfd, "", char *buf, size_t size);} of an O_PATH|O_NOFOLLOW fd on a symlink. */
  public static byte[] readlink(int fd, String what) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment p = NativeCopy.cString(arena, "");
      MemorySegment buf = arena.allocate(4096);
      long r = Libc.syscallRaw(Sys.READLINKAT, fd, p.address(), buf.address(), 4096, 0, 0);
      if (r < 0) throw new SysException(what, null, (int) -r);
      return buf.asSlice(0, r).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }
  }
}
