package io.jrunc.core.rootfs;

import static io.jrunc.core.rootfs.RootfsRules.*;
import static io.jrunc.core.rootfs.MountSteps.*;
import static io.jrunc.core.rootfs.RootfsSetup.DIR_MODE;
import static io.jrunc.core.sys.Mount.*;
import static io.jrunc.core.sys.Open.*;
import static io.jrunc.core.sys.Stat.*;

import io.jrunc.core.spawn.Label;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.MountAttr;
import io.jrunc.core.sys.Sys;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.jrunc.core.rootfs.RootfsSetup.Base;
import io.jrunc.core.rootfs.RootfsSetup.Dev;
import io.jrunc.core.rootfs.RootfsSetup.Planned;
import io.jrunc.core.rootfs.RootfsSetup.Resolved;

/** The steps of {@link RootfsSetup} for /dev, v1 cgroup mounts, sysctls and masked/read-only paths. */
final class PseudoFsSteps {
  private PseudoFsSteps() {}

  /**
   * A {@code cgroup} mount on a cgroup v1 (or hybrid) host, as runc: a tmpfs (mode 755) at the
   * destination, in it one directory per host hierarchy with a cgroupfs of the same controllers
   * (in a cgroup namespace) or a bind of the container's own directory (without one), symlinks
   * for co-mounted controllers ({@code cpu -> cpu,cpuacct}), and the tmpfs made read-only last
   * when the mount is {@code ro}.
   */
  static void emitCgroupV1(RootfsSetup s, ProgramBuilder b, Planned m, Map<Planned, Step> kept) {
    MountOptions o = m.opts();
    String what = "mount cgroup hierarchies (type cgroup) to " + m.dest();
    long base = (o.attrSet() & ~MOUNT_ATTR_RDONLY) | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
    Step fs = b.call(Sys.FSOPEN, "tmpfs", FSOPEN_CLOEXEC).describe(what + ": open filesystem type tmpfs");
    b.call(Sys.FSCONFIG, fs, FSCONFIG_SET_STRING, "source", "tmpfs", 0L).describe(what + ": set source");
    b.call(Sys.FSCONFIG, fs, FSCONFIG_SET_STRING, "mode", "755", 0L).describe(what + ": option mode=755");
    b.call(Sys.FSCONFIG, fs, FSCONFIG_CMD_CREATE, null, null, 0L).describe(what + ": create the tmpfs");
    Step tmp = b.call(Sys.FSMOUNT, fs, FSMOUNT_CLOEXEC, base).describe(what + ": mount the tmpfs");
    b.call(Sys.CLOSE, fs).describe(what + ": close the filesystem context");
    Step target = s.mountTarget(b, s.rootfd, "/", m.comps(), true, RESOLVED, " (must be mounted on ordinary directory)");
    b.call(Sys.MOVE_MOUNT, tmp, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH).describe(what + ": mount the tmpfs");
    b.call(Sys.CLOSE, target).describe("close mount point ", m.target());

    for (HostMounts.Entry h : s.host.cgroupHierarchies()) {
      // the mount point's last component (a clean path in /sys/fs/cgroup: no Path to parse)
      String name = h.mountPoint().substring(h.mountPoint().lastIndexOf('/') + 1);
      // the texts of the ~7 steps per hierarchy (~12 on a v1 host) of a bind, joined only if a step fails
      Object sub = display(m.dest(), List.of(name), 1);
      Object subWhat;
      Step mnt;
      if (s.ctx.cgroupNs()) {
        // (a cgroup namespace: its option steps vary, so the sentence is made here, once)
        String text = new CgroupMountText(sub, name, h.fsType(), null).toString();
        subWhat = text;
        Step cfs = b.call(Sys.FSOPEN, h.fsType(), FSOPEN_CLOEXEC).describe(text, ": open filesystem type ", h.fsType());
        b.call(Sys.FSCONFIG, cfs, FSCONFIG_SET_STRING, "source", "cgroup", 0L).describe(text, ": set source");
        if (h.fsType().equals("cgroup")) {
          for (String opt : h.superOptions().split(",")) {
            if (opt.equals("rw") || opt.equals("ro")) continue;
            int eq = opt.indexOf('=');
            if (eq < 0) {
              b.call(Sys.FSCONFIG, cfs, FSCONFIG_SET_FLAG, opt, null, 0L).describe(text, ": option ", opt);
            } else {
              b.call(Sys.FSCONFIG, cfs, FSCONFIG_SET_STRING, opt.substring(0, eq), opt.substring(eq + 1), 0L)
                  .describe(text, ": option ", opt);
            }
          }
        }
        b.call(Sys.FSCONFIG, cfs, FSCONFIG_CMD_CREATE, null, null, 0L).describe(text);
        mnt = b.call(Sys.FSMOUNT, cfs, FSMOUNT_CLOEXEC, o.attrSet() | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)
            .describe(text);
        b.call(Sys.CLOSE, cfs).describe(text, ": close the filesystem context");
      } else {
        String src = s.ctx.cgroupDirs().get(name).toString();
        subWhat = new CgroupMountText(sub, name, null, src);
        mnt = b.call(Sys.OPEN_TREE, AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE).describe("", subWhat);
        b.call(Sys.MOUNT_SETATTR, mnt, "", AT_EMPTY_PATH,
            mountAttr(b, o.attrSet() | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, o.attrClr(), 0), MountAttr.SIZE_VER0)
            .describe("", subWhat, ": set mount flags");
      }
      b.call(Sys.MKDIRAT, tmp, name, DIR_MODE).allow(Errno.EEXIST).describe("create mount point ", sub);
      Step t = openat2(b, tmp, name, O_PATH | O_DIRECTORY | O_CLOEXEC, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)
          .describe("open mount point ", sub);
      b.call(Sys.MOVE_MOUNT, mnt, "", t, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH).describe("", subWhat);
      b.call(Sys.CLOSE, t).describe("close mount point ", sub);
      b.call(Sys.CLOSE, mnt).describe("close the mount fd of ", sub);
      if (name.contains(",")) {
        for (String part : name.split(",")) {
          b.call(Sys.SYMLINKAT, name, tmp, part).allow(Errno.EEXIST)
              .describe("create symlink " + m.dest() + "/" + part + " -> " + name);
        }
      }
    }
    s.emitPropagation(b, tmp, o, what);
    if (o.has(MS_RDONLY)) {
      b.call(Sys.MOUNT_SETATTR, tmp, "", AT_EMPTY_PATH, mountAttr(b, MOUNT_ATTR_RDONLY, 0, 0), MountAttr.SIZE_VER0)
          .describe("make ", m.dest(), " read-only");
    }
    b.call(Sys.CLOSE, tmp).describe("close the mount fd of ", m.dest());
  }

  /**
   * "mount cgroup NAME (type FSTYPE) to SUB" (a cgroup namespace: a cgroupfs of its own) or
   * "mount SRC (type bind) to SUB" (the container's directory of that hierarchy), made when a
   * step's failure is reported.
   */
  private record CgroupMountText(Object sub, String name, String fsType, String bindSource) {
    @Override
    public String toString() {
      return bindSource != null
          ? "mount " + bindSource + " (type bind) to " + sub
          : "mount cgroup " + name + " (type " + fsType + ") to " + sub;
    }
  }

  private static void closeDevParent(ProgramBuilder b, Step parent, Object display) {
    if (parent != null) b.call(Sys.CLOSE, parent).describe("close ", display);
  }

  /** Devices, /dev symlinks, /dev/ptmx, /dev/console. */
  static void emitDev(RootfsSetup s, ProgramBuilder b) {
    long resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    s.mkdirs(b, s.rootfd, "/", List.of("dev"), 1, resolve);
    String openRel = null; // the directory openParent is, relative to the root ("": the root)
    Step openParent = null;
    Object openDisplay = null; // its name in the steps' sentences
    for (Dev d : s.devices()) {
      // made where the path resolved in the parent, walked without following any symlink
      List<String> c = d.comps();
      int n = c.size();
      String rel = join(c, n);
      if (s.ctx.newUserNs()) {
        // mknod is refused in a user namespace: bind the host's node onto an empty file (runc).
        s.mkfile(b, s.rootfd, "/", c, RESOLVED);
        Step t = openat2(b, s.rootfd, rel, O_PATH | O_CLOEXEC, RESOLVED).describe("open device mount point ", d.path());
        Step src = b.call(Sys.OPEN_TREE, AT_FDCWD, d.path(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)
            .describe("bind-mount device ", d.path(), " from the host");
        b.call(Sys.MOVE_MOUNT, src, "", t, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
            .describe("bind-mount device ", d.path(), " from the host");
        b.call(Sys.CLOSE, src).describe("close ", d.path());
        b.call(Sys.CLOSE, t).describe("close ", d.path());
        continue;
      }
      // the parent made and opened once for the devices after it in the same directory (all of
      // the default ones are in /dev: 9 steps instead of 24)
      String parentRel = n == 1 ? "" : join(c, n - 1);
      if (!parentRel.equals(openRel)) {
        closeDevParent(b, openParent, openDisplay);
        openParent = null;
        s.mkdirs(b, s.rootfd, "/", c, n - 1, RESOLVED);
        openRel = parentRel;
        openDisplay = display("/", c, n - 1);
        if (n > 1) {
          openParent = openat2(b, s.rootfd, parentRel, O_PATH | O_DIRECTORY | O_CLOEXEC, RESOLVED).describe("open ", openDisplay);
        }
      }
      Step parent = n == 1 ? s.rootfd : openParent;
      // An existing node is kept (runc ignores EEXIST too).
      b.call(Sys.MKNODAT, parent, c.get(n - 1), d.type() | d.mode(), encodeDev(d.major(), d.minor())).allow(Errno.EEXIST)
          .describe("create device ", d.path());
      if (d.uid() != null || d.gid() != null) {
        b.call(Sys.FCHOWNAT, parent, c.get(n - 1), d.uid() == null ? -1L : d.uid(), d.gid() == null ? -1L : d.gid(), AT_SYMLINK_NOFOLLOW)
            .describe("change owner of device ", d.path());
      }
    }
    closeDevParent(b, openParent, openDisplay);
    Step dev = openat2(b, s.rootfd, "dev", O_PATH | O_DIRECTORY | O_CLOEXEC, resolve).describe("open /dev");
    List<String[]> links = new ArrayList<>(List.of(new String[] {"/proc/self/fd", "fd"},
        new String[] {"/proc/self/fd/0", "stdin"}, new String[] {"/proc/self/fd/1", "stdout"},
        new String[] {"/proc/self/fd/2", "stderr"}));
    if (Kcore.PRESENT) links.add(new String[] {"/proc/kcore", "core"});
    for (String[] l : links) {
      b.call(Sys.SYMLINKAT, l[0], dev, l[1]).allow(Errno.EEXIST).describe("create symlink /dev/" + l[1] + " -> " + l[0]);
    }
    // /dev/ptmx -> pts/ptmx so the container's devpts instance (newinstance) is used.
    b.call(Sys.UNLINKAT, dev, "ptmx", 0L).allow(Errno.ENOENT).describe("remove /dev/ptmx");
    b.call(Sys.SYMLINKAT, "pts/ptmx", dev, "ptmx").describe("create symlink /dev/ptmx -> pts/ptmx");
    if (s.ctx.consolePath() != null) {
      b.call(Sys.MKNODAT, dev, "console", S_IFREG | 0600, 0L).allow(Errno.EEXIST).describe("create /dev/console");
      Step t = openat2(b, dev, "console", O_PATH | O_CLOEXEC, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS).describe("open /dev/console");
      Step src = b.call(Sys.OPEN_TREE, AT_FDCWD, s.ctx.consolePath(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)
          .describe("bind-mount ", s.ctx.consolePath(), " to /dev/console");
      b.call(Sys.MOVE_MOUNT, src, "", t, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
          .describe("bind-mount ", s.ctx.consolePath(), " to /dev/console");
      b.call(Sys.CLOSE, src).describe("close ", s.ctx.consolePath());
      b.call(Sys.CLOSE, t).describe("close /dev/console");
    }
    b.call(Sys.CLOSE, dev).describe("close /dev");
  }

  /** The procfs mount of this program that holds {@code path}, or null. */
  static Planned procMountFor(RootfsSetup s, String path) {
    return pseudoMountFor(s.mounts, path, "proc");
  }

  static Base baseFor(RootfsSetup s, String target, Map<Planned, Step> kept) {
    String p = target;
    Planned pm = procMountFor(s, p);
    if (pm == null) pm = pseudoMountFor(s.mounts, p, "sysfs");
    if (pm != null && kept.containsKey(pm)) {
      String rel = p.equals(pm.target()) ? "" : p.substring(pm.target().length() + 1);
      return new Base(kept.get(pm), rel, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    }
    List<String> c = comps(p);
    return new Base(s.rootfd, join(c, c.size()), RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  }

  static void emitSysctl(RootfsSetup s, ProgramBuilder b, Map<Planned, Step> kept) {
    if (s.spec.linux() == null || s.spec.linux().sysctl() == null) return;
    Planned pm = procMountFor(s, "/proc/sys");
    for (Map.Entry<String, String> e : s.spec.linux().sysctl().entrySet()) {
      String rel = "sys/" + io.jrunc.spec.validate.SysctlRules.procPath(e.getKey()); // the validator checked the key
      if (!pm.target().equals("/proc")) rel = ("/proc/" + rel).substring(pm.target().length() + 1);
      String what = "set sysctl " + e.getKey() + " to " + e.getValue();
      // No symlinks and no other filesystem: the file must be procfs' own.
      Step fd = openat2(b, kept.get(pm), rel, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_TRUNC,
          RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV).describe(what);
      byte[] v = e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      b.call(Sys.WRITE, fd, v, (long) v.length).atLeast(v.length).describe(what);
      b.call(Sys.CLOSE, fd).describe(what);
    }
  }

  /** readonlyPaths: bind each onto itself (recursive) and make the top mount read-only (runc's readonlyPath). */
  static void emitReadonlyPaths(RootfsSetup s, ProgramBuilder b, Map<Planned, Step> kept) {
    for (Resolved r : s.readonlyPaths) {
      String path = r.path();
      Base base = baseFor(s, r.target(), kept);
      Label have = b.label(), end = b.label();
      Step t = openat2(b, base.fd(), base.rel(), O_PATH | O_CLOEXEC, base.resolve()).allow(Errno.ENOENT).jumpIfPositive(have)
          .describe("open read-only path ", path);
      b.call(Sys.GETPID).jumpIfPositive(end).describe("skip missing read-only path ", path);
      b.place(have);
      Step c = b.call(Sys.OPEN_TREE, t, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH)
          .describe("make ", path, " read-only");
      b.call(Sys.MOUNT_SETATTR, c, "", AT_EMPTY_PATH, mountAttr(b, MOUNT_ATTR_RDONLY, 0, 0), MountAttr.SIZE_VER0)
          .describe("make ", path, " read-only");
      b.call(Sys.MOVE_MOUNT, c, "", t, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH).describe("make ", path, " read-only");
      b.call(Sys.CLOSE, c).describe("close ", path);
      b.call(Sys.CLOSE, t).describe("close ", path);
      b.place(end);
    }
  }

  /**
   * maskedPaths: a directory gets an empty read-only tmpfs, anything else the host's /dev/null
   * (opened here, before pivot_root, so the container cannot substitute its own: CVE-2025-31133);
   * a missing path is skipped. The type is learnt in the child: opening with O_DIRECTORY fails
   * with ENOTDIR on a file.
   */
  static void emitMaskedPaths(RootfsSetup s, ProgramBuilder b, Map<Planned, Step> kept) {
    for (Resolved r : s.maskedPaths) {
      String path = r.path();
      Base base = baseFor(s, r.target(), kept);
      Label dir = b.label(), file = b.label(), end = b.label();
      Step d = openat2(b, base.fd(), base.rel(), O_PATH | O_DIRECTORY | O_CLOEXEC, base.resolve())
          .allow(Errno.ENOENT, Errno.ENOTDIR).jumpIfPositive(dir).describe("open masked path ", path);
      Step f = openat2(b, base.fd(), base.rel(), O_PATH | O_CLOEXEC, base.resolve())
          .allow(Errno.ENOENT).jumpIfPositive(file).describe("open masked path ", path);
      b.call(Sys.GETPID).jumpIfPositive(end).describe("skip missing masked path ", path);

      b.place(dir);
      // each step described lazily ("mask PATH with ...": joined only for a failure)
      String how = " with a read-only tmpfs";
      Step fs = b.call(Sys.FSOPEN, "tmpfs", FSOPEN_CLOEXEC).describe("mask ", path, how);
      b.call(Sys.FSCONFIG, fs, FSCONFIG_SET_STRING, "source", "tmpfs", 0L).describe("mask ", path, how);
      if (s.selinux && s.spec.linux().mountLabel() != null && !s.spec.linux().mountLabel().isEmpty()) {
        b.call(Sys.FSCONFIG, fs, FSCONFIG_SET_STRING, "context", s.spec.linux().mountLabel(), 0L).describe("mask ", path, how);
      }
      b.call(Sys.FSCONFIG, fs, FSCONFIG_SET_FLAG, "ro", null, 0L).describe("mask ", path, how);
      b.call(Sys.FSCONFIG, fs, FSCONFIG_CMD_CREATE, null, null, 0L).describe("mask ", path, how);
      Step tm = b.call(Sys.FSMOUNT, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY).describe("mask ", path, how);
      b.call(Sys.CLOSE, fs).describe("mask ", path, how);
      b.call(Sys.MOVE_MOUNT, tm, "", d, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH).describe("mask ", path, how);
      b.call(Sys.CLOSE, tm).describe("mask ", path, how);
      b.call(Sys.CLOSE, d).describe("close ", path);
      b.call(Sys.GETPID).jumpIfPositive(end).describe("masked ", path);

      b.place(file);
      how = " with /dev/null";
      Step n = b.call(Sys.OPEN_TREE, AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC).describe("mask ", path, how);
      b.call(Sys.MOVE_MOUNT, n, "", f, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH).describe("mask ", path, how);
      b.call(Sys.CLOSE, n).describe("mask ", path, how);
      b.call(Sys.CLOSE, f).describe("close ", path);
      b.place(end);
    }
  }

  /** Whether the kernel has /proc/kcore (CONFIG_PROC_KCORE, built in or not): looked up once per JVM. */
  private static final class Kcore {
    static final boolean PRESENT = Files.exists(Path.of("/proc/kcore"), LinkOption.NOFOLLOW_LINKS);
  }
}
