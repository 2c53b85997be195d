package io.jrunc.core.container;

import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Sys;
import io.jrunc.spec.Mount;
import io.jrunc.spec.Spec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal root filesystem: config mounts in order and pivot_root. Stand-in until the
 * {@code rootfs} package's hardened implementation (openat2 RESOLVE_IN_ROOT, devices, masked
 * paths) is wired in.
 */
final class BasicRootfs {
  private BasicRootfs() {}

  static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32,
      MS_BIND = 4096, MS_REC = 16384, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19;

  static void emit(ProgramBuilder b, Spec spec, Path rootfs, boolean noPivot, java.util.function.Consumer<ProgramBuilder> beforePivot) {
    String root = rootfs.toString();
    b.call(Sys.MOUNT, "", "/", "", MS_REC | MS_SLAVE, 0L).describe("make / rslave");
    b.call(Sys.MOUNT, root, root, "bind", MS_BIND | MS_REC, 0L).describe("bind mount the rootfs " + root + " onto itself");
    if (spec.mounts() != null) {
      for (Mount m : spec.mounts()) {
        String dest = m.destination().startsWith("/") ? m.destination() : "/" + m.destination();
        String target = root + dest;
        mkdirAll(b, root, dest);
        long flags = 0;
        List<String> data = new ArrayList<>();
        boolean bind = "bind".equals(m.type());
        if (m.options() != null) {
          for (String o : m.options()) {
            switch (o) {
              case "ro" -> flags |= MS_RDONLY;
              case "rw" -> {}
              case "nosuid" -> flags |= MS_NOSUID;
              case "nodev" -> flags |= MS_NODEV;
              case "noexec" -> flags |= MS_NOEXEC;
              case "bind" -> { flags |= MS_BIND; bind = true; }
              case "rbind" -> { flags |= MS_BIND | MS_REC; bind = true; }
              case "strictatime" -> flags |= 1 << 24;
              case "relatime" -> flags |= 1 << 21;
              case "noatime" -> flags |= 1024;
              case "nodiratime" -> flags |= 2048;
              case "sync" -> flags |= 16;
              case "dirsync" -> flags |= 128;
              case "private", "rprivate", "slave", "rslave", "shared", "rshared" -> {}
              default -> data.add(o);
            }
          }
        }
        String src = m.source() == null ? m.type() : m.source();
        if ("cgroup".equals(m.type())) {
          // stand-in: the rootfs package mounts v1 hierarchies properly
          b.call(Sys.MOUNT, "tmpfs", target, "tmpfs", flags | MS_RDONLY, 0L).describe("mount a tmpfs for " + dest);
          continue;
        }
        if (bind) {
          b.call(Sys.MOUNT, src, target, "", flags & (MS_BIND | MS_REC), 0L)
              .describe("mount " + src + " to " + dest + " (bind)");
          if ((flags & ~(MS_BIND | MS_REC)) != 0) {
            b.call(Sys.MOUNT, "", target, "", (flags & ~MS_REC) | MS_REMOUNT | MS_BIND, 0L)
                .describe("remount " + dest + " with its options");
          }
        } else {
          b.call(Sys.MOUNT, src, target, m.type(), flags, data.isEmpty() ? null : String.join(",", data))
              .describe("mount " + src + " to " + dest + " (type " + m.type() + ")");
        }
      }
    }
    beforePivot.accept(b);
    if (noPivot) {
      b.call(Sys.CHDIR, root).describe("chdir to the rootfs");
      b.call(Sys.MOUNT, root, "/", "", 8192L /* MS_MOVE */, 0L).describe("move the rootfs to /");
      b.call(Sys.CHROOT, ".").describe("chroot to the rootfs");
    } else {
      b.call(Sys.CHDIR, root).describe("chdir to the rootfs");
      b.call(Sys.PIVOT_ROOT, ".", ".").describe("pivot_root to " + root);
      b.call(Sys.MOUNT, "", ".", "", MS_REC | MS_SLAVE, 0L).describe("make the old root rslave");
      b.call(Sys.UMOUNT2, ".", 2L /* MNT_DETACH */).describe("unmount the old root");
    }
    b.call(Sys.CHDIR, "/").describe("chdir to /");
    if (spec.root() != null && Boolean.TRUE.equals(spec.root().readonly())) {
      b.call(Sys.MOUNT, "", "/", "", MS_REMOUNT | MS_BIND | MS_RDONLY, 0L).describe("remount the root read-only");
    }
  }

  private static void mkdirAll(ProgramBuilder b, String root, String dest) {
    StringBuilder p = new StringBuilder(root);
    for (String c : dest.split("/")) {
      if (c.isEmpty()) continue;
      p.append('/').append(c);
      b.call(Sys.MKDIRAT, (long) Libc.AT_FDCWD, p.toString(), 0755L).allow(Errno.EEXIST).describe("create mount point " + p);
    }
  }
}
