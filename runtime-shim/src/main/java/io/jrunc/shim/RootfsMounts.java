package io.jrunc.shim;

import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.HostMount;
import io.jrunc.core.sys.Mount;
import io.jrunc.core.sys.SysException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code rootfs} mounts containerd passes with CreateTaskRequest (the snapshotter's view of
 * the image: an overlay, or a read-only bind for a single layer), mounted in order onto
 * {@code <bundle>/rootfs} as runc's shim does, and unmounted when the task is deleted.
 * Options are mount(8)'s: the known flag words become mount flags, everything else is the
 * filesystem's data string ({@code lowerdir=...,upperdir=...}).
 */
final class RootfsMounts {
  private RootfsMounts() {}

  private static final Map<String, Long> SET = Map.ofEntries(
      Map.entry("ro", Mount.MS_RDONLY), Map.entry("nosuid", Mount.MS_NOSUID), Map.entry("nodev", Mount.MS_NODEV),
      Map.entry("noexec", Mount.MS_NOEXEC), Map.entry("sync", Mount.MS_SYNCHRONOUS),
      Map.entry("noatime", Mount.MS_NOATIME), Map.entry("nodiratime", Mount.MS_NODIRATIME),
      Map.entry("relatime", Mount.MS_RELATIME), Map.entry("strictatime", Mount.MS_STRICTATIME),
      Map.entry("bind", Mount.MS_BIND), Map.entry("rbind", Mount.MS_BIND | Mount.MS_REC));
  private static final List<String> CLEAR = List.of("rw", "suid", "dev", "exec", "async", "atime", "diratime",
      "defaults");

  static void mountAll(List<io.jrunc.shim.proto.Mount> mounts, Path rootfs) throws SysException, java.io.IOException {
    if (mounts.isEmpty()) return;
    Files.createDirectories(rootfs);
    List<String> done = new ArrayList<>();
    try {
      for (var m : mounts) {
        long flags = 0;
        List<String> data = new ArrayList<>();
        for (String o : m.getOptionsList()) {
          Long f = SET.get(o);
          if (f != null) flags |= f;
          else if (!CLEAR.contains(o)) data.add(o);
        }
        boolean bind = (flags & Mount.MS_BIND) != 0 || m.getType().equals("bind");
        String type = bind ? null : m.getType();
        long first = bind ? (flags | Mount.MS_BIND) & ~Mount.MS_RDONLY : flags;
        HostMount.mount(m.getSource(), rootfs.toString(), type, first, data.isEmpty() ? null : String.join(",", data));
        done.add(rootfs.toString());
        if (bind && (flags & Mount.MS_RDONLY) != 0) {
          // a bind mount ignores MS_RDONLY on the first call: read-only takes a remount
          HostMount.mount(null, rootfs.toString(), null, Mount.MS_REMOUNT | Mount.MS_BIND | Mount.MS_RDONLY, null);
        }
      }
    } catch (SysException e) {
      for (int i = 0; i < done.size(); i++) unmountAll(rootfs);
      throw e;
    }
  }

  /** Unmounts everything stacked on {@code rootfs} (detached: a busy mount goes when unused). */
  static void unmountAll(Path rootfs) {
    for (int i = 0; i < 64; i++) {
      try {
        HostMount.umount(rootfs.toString(), Mount.MNT_DETACH);
      } catch (SysException e) {
        if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOENT) {
          java.util.logging.Logger.getLogger(RootfsMounts.class.getName()).warning(e.getMessage());
        }
        return;
      }
    }
  }
}
