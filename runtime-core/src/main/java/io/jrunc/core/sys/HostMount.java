package io.jrunc.core.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * {@code mount(2)} and {@code umount2(2)} as the calling process runs them, in its own mount
 * namespace: for an engine's shim, which mounts the image's layers (the {@code rootfs} mounts
 * containerd passes with a task, e.g. an overlay) onto the bundle's {@code rootfs} before
 * creating the container, and unmounts them when the task is deleted.
 */
public final class HostMount {
  private HostMount() {}

  /**
   * {@code int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data);}
   * {@code data} may be null (no options).
   */
  public static void mount(String source, String target, String fstype, long flags, String data) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      long src = source == null ? 0 : NativeCopy.cString(arena, source).address();
      long tgt = NativeCopy.cString(arena, target).address();
      long type = fstype == null ? 0 : NativeCopy.cString(arena, fstype).address();
      long opts = data == null ? 0 : NativeCopy.cString(arena, data).address();
      long r = Libc.syscallRaw(Sys.MOUNT, src, tgt, type, flags, opts, 0);
      if (r < 0) {
        throw new SysException("mount " + (fstype == null ? "" : fstype + " ") + source + " on", target, (int) -r);
      }
    }
  }

  /** {@code int umount2(const char *target, int flags);} */
  public static void umount(String target, long flags) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment t = NativeCopy.cString(arena, target);
      long r = Libc.syscallRaw(Sys.UMOUNT2, t.address(), flags, 0, 0, 0, 0);
      if (r < 0) throw new SysException("unmount", target, (int) -r);
    }
  }
}
