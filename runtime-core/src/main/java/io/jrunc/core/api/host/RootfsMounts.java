package io.jrunc.core.api.host;

import io.jrunc.core.log.Logs;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.HostMount;
import io.jrunc.core.sys.Mount;
import io.jrunc.core.sys.SysException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * The image's layers mounted onto a bundle's {@code rootfs} in the caller's own mount
 * namespace, before the container is created: what containerd passes a shim as the task's
 * {@code rootfs} mounts (an overlay, or a bind for a single layer), mounted in order and
 * unmounted when the task is deleted, as runc's shim does.
 *
 * <p>Options are mount(8)'s: the flag words ({@code ro}, {@code nosuid}, {@code bind},
 * {@code rbind}, ...) become mount flags, their negations ({@code rw}, {@code suid},
 * {@code defaults}, ...) set nothing, and every other option goes to the filesystem's data
 * string ({@code lowerdir=...,upperdir=...}). A read-only bind is a bind and then a remount,
 * since mount(2) ignores {@code MS_RDONLY} on the bind itself.
 */
public final class RootfsMounts {
  private RootfsMounts() {}

  private static final Logger LOG = Logs.get(RootfsMounts.class);
  /** At most this many mounts stacked on one rootfs are undone. */
  private static final int MAX_STACK = 64;

  /** One mount as containerd describes it: {@code type} may be "bind"; options in mount(8) words. */
  public record Layer(String type, String source, List<String> options) {
    public Layer {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(source, "source");
      options = List.copyOf(options);
    }
  }

  private static final Map<String, Long> SET = Map.ofEntries(
      Map.entry("ro", Mount.MS_RDONLY), Map.entry("nosuid", Mount.MS_NOSUID), Map.entry("nodev", Mount.MS_NODEV),
      Map.entry("noexec", Mount.MS_NOEXEC), Map.entry("sync", Mount.MS_SYNCHRONOUS),
      Map.entry("noatime", Mount.MS_NOATIME), Map.entry("nodiratime", Mount.MS_NODIRATIME),
      Map.entry("relatime", Mount.MS_RELATIME), Map.entry("strictatime", Mount.MS_STRICTATIME),
      Map.entry("bind", Mount.MS_BIND), Map.entry("rbind", Mount.MS_BIND | Mount.MS_REC));
  private static final List<String> CLEAR = List.of("rw", "suid", "dev", "exec", "async", "atime", "diratime",
      "defaults");

  /** What mount(2) gets for one layer: the flags, the data string (null: none), bind or not. */
  record Call(String type, long flags, String data, boolean bind) {}

  /** The translation of a layer's options, without mounting (tested without root). */
  static Call plan(Layer m) {
    long flags = 0;
    List<String> data = new ArrayList<>();
    for (String o : m.options()) {
      Long f = SET.get(o);
      if (f != null) flags |= f;
      else if (!CLEAR.contains(o)) data.add(o);
    }
    boolean bind = (flags & Mount.MS_BIND) != 0 || m.type().equals("bind");
    if (bind) flags |= Mount.MS_BIND;
    return new Call(bind ? null : m.type(), flags, data.isEmpty() ? null : String.join(",", data), bind);
  }

  /**
   * Mounts {@code layers} in order onto {@code rootfs} (created if missing). On failure what
   * was mounted is unmounted again and the error names the mount, the target and the errno.
   */
  public static void mountAll(List<Layer> layers, Path rootfs) throws IOException {
    if (layers.isEmpty()) return;
    Files.createDirectories(rootfs);
    String target = rootfs.toString();
    int done = 0;
    try {
      for (Layer m : layers) {
        Call c = plan(m);
        long first = c.bind() ? c.flags() & ~Mount.MS_RDONLY : c.flags();
        HostMount.mount(m.source(), target, c.type(), first, c.data());
        done++;
        if (c.bind() && (c.flags() & Mount.MS_RDONLY) != 0) {
          HostMount.mount(null, target, null, Mount.MS_REMOUNT | Mount.MS_BIND | Mount.MS_RDONLY, null);
        }
      }
    } catch (SysException e) {
      for (int i = 0; i < done; i++) {
        try {
          HostMount.umount(target, Mount.MNT_DETACH);
        } catch (SysException again) {
          e.addSuppressed(again);
          break;
        }
      }
      throw e;
    }
  }

  /**
   * Unmounts everything stacked on {@code rootfs} (detached: a busy mount goes when unused).
   * Returns how many mounts went; a failure other than "nothing mounted there" is logged.
   */
  public static int unmountAll(Path rootfs) {
    for (int i = 0; i < MAX_STACK; i++) {
      try {
        HostMount.umount(rootfs.toString(), Mount.MNT_DETACH);
      } catch (SysException e) {
        if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOENT) LOG.warn(e.getMessage());
        return i;
      }
    }
    return MAX_STACK;
  }
}
