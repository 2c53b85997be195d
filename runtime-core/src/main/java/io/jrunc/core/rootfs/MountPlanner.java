package io.jrunc.core.rootfs;

import static io.jrunc.core.rootfs.RootfsRules.*;
import static io.jrunc.core.rootfs.MountSteps.*;
import static io.jrunc.core.sys.Mount.*;
import static io.jrunc.core.sys.Open.*;
import static io.jrunc.core.sys.Stat.*;

import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.MountSyscalls;
import io.jrunc.spec.Mount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.jrunc.core.rootfs.RootfsSetup.Dev;
import io.jrunc.core.rootfs.RootfsSetup.Planned;
import io.jrunc.core.rootfs.RootfsSetup.Resolved;

/** The planning half of {@link RootfsSetup}: every config mount, device and masked/read-only path resolved and checked in the parent. */
final class MountPlanner {
  private MountPlanner() {}

  static List<Planned> planMounts(RootfsSetup s) {
    List<Planned> l = new ArrayList<>();
    java.util.Set<String> targets = new java.util.HashSet<>(); // l's, for inheritMode's look-up
    List<Mount> ms = s.spec.mounts() == null ? List.of() : s.spec.mounts();
    boolean needNs = !ms.isEmpty() || s.ctx.noPivot()
        || (s.spec.linux() != null && (notEmpty(s.spec.linux().maskedPaths()) || notEmpty(s.spec.linux().readonlyPaths())
            || notEmpty(s.spec.linux().devices()) || (s.spec.linux().sysctl() != null && !s.spec.linux().sysctl().isEmpty())))
        || (s.spec.root() != null && Boolean.TRUE.equals(s.spec.root().readonly()));
    if (!s.ctx.mountNs() && needNs) {
      throw new RootfsConfigException("linux.namespaces: mounts, devices, masked/readonly paths, sysctl and root.readonly"
          + " need a mount namespace (add {\"type\": \"mount\"})");
    }
    for (int i = 0; i < ms.size(); i++) {
      Mount m = ms.get(i);
      MountOptions o = MountOptions.parse(m.options());
      String dest = clean(m.destination());
      if (m.destination() != null && !m.destination().startsWith("/")) {
        // runtime-spec: relative to "/" for compatibility; runc warns that support will go
        RootfsSetup.log().warn(
            "mount destination {} is not absolute: taken as {} (support for relative destinations may be removed)",
            m.destination(), dest);
      }
      boolean bind = o.isBind() || "bind".equals(m.type());
      String type = bind ? "bind" : m.type() == null || m.type().isEmpty() ? "none" : m.type();
      if (bind && !o.isBind()) o = withFlags(o, MS_BIND);
      String source = m.source();
      boolean isDir = true;
      boolean ownCgroup = false;
      if ("cgroup".equals(type) && s.host.cgroup2Unified() && !s.ctx.cgroupNs() && s.ctx.cgroupDirs() != null
          && s.ctx.cgroupDirs().get("") != null) {
        // cgroup v2 host, no cgroup namespace: the container's own directory, not the host's whole tree
        type = "bind";
        ownCgroup = true;
        source = s.ctx.cgroupDirs().get("").toString();
        o = withFlags(o, MS_BIND | MS_REC);
      }
      String where = "mounts[" + i + "] (destination " + dest + ")";
      Path sp = null;
      boolean later = false; // a directory create makes after planning (empty then)
      if (type.equals("bind") && !o.has(MS_REMOUNT)) {
        if (source == null || source.isEmpty()) {
          throw new RootfsConfigException("mounts[" + i + "] (destination " + dest + "): a bind mount needs a source");
        }
        sp = Path.of(source);
        if (!sp.isAbsolute()) sp = s.ctx.bundle().resolve(sp);
        source = sp.normalize().toString();
        // the systemd driver's scope exists only once the child is in it (the mount comes later)
        later = s.ctx.laterDirs().contains(sp.normalize());
        if (!ownCgroup && !later && !Files.exists(sp)) {
          throw new RootfsConfigException("mounts[" + i + "] (destination " + dest + "): bind source " + source
              + ": " + Errno.describe(Errno.ENOENT));
        }
        isDir = ownCgroup || later || Files.isDirectory(sp);
      }
      // where it lands, through the image's symlinks and the mounts before it: all checks are
      // made there, and the child mounts exactly there (no symlink followed on the way)
      String target = s.resolve(where, dest);
      s.checkTarget(where, type, dest, target, source);
      if (type.equals("bind") && !o.has(MS_REMOUNT) && !ownCgroup && !later) checkBindTypes(s, where, source, isDir, target);
      if (target.equals("/") && !isDir) {
        throw new RootfsConfigException(where + ": bind source " + source + " is not a directory (only a directory can"
            + " be mounted over the container's root)");
      }
      if ("cgroup".equals(type) && !s.host.cgroup2Unified() && !s.ctx.cgroupNs()) {
        for (HostMounts.Entry h : s.host.cgroupHierarchies()) {
          String name = h.mountPoint().substring(h.mountPoint().lastIndexOf('/') + 1); // a clean path: no Path to parse
          if (s.ctx.cgroupDirs() == null || s.ctx.cgroupDirs().get(name) == null) {
            throw new RootfsConfigException("mounts[" + i + "] (destination " + dest + "): a cgroup mount without a cgroup"
                + " namespace needs the container's directory in hierarchy " + name + " (RootfsContext.cgroupDirs)");
          }
        }
      }
      if (type.equals("tmpfs") && !o.has(MS_REMOUNT) && !o.dataStartsWith("mode=")) {
        o = inheritMode(s, o, target, targets);
      }
      int fd = -1;
      if (type.equals("bind") && idmapped(m, o) && !o.has(MS_REMOUNT) && !later) fd = idmapFd(s, i, m, o, dest, source);
      else if (type.equals("bind") && !o.has(MS_REMOUNT) && !ownCgroup && !later && s.ctx.newUserNs()
          && io.jrunc.core.sys.Libc.geteuid() == 0) {
        // In a new user namespace the child may not reach the source (a 0700 parent directory
        // of root's): the parent clones it as root and hands the child the mount (runc opens
        // bind sources before entering the user namespace, too).
        fd = bindFd(s, o, dest, source);
      }
      List<TmpCopyUp.Node> copy = o.tmpcopyup() ? TmpCopyUp.snapshot(s.ctx.rootfs(), target, where) : null;
      // inside procfs, sysfs or a cgroup mount the kernel's own symlinks (/proc/net -> self/net)
      // are followed, confined to the root; procfs and sysfs themselves never through a symlink
      boolean pseudo = type.equals("proc") || type.equals("sysfs");
      long resolve = !pseudo && s.view.inKernelFs(target) ? IN_KERNEL_FS : RESOLVED;
      l.add(new Planned(i, m, dest, target, comps(target), resolve, source, type, o, isDir, fd, copy));
      targets.add(target);
      if (!o.has(MS_REMOUNT)) {
        if (later) s.view.fresh(target);
        else if (sp != null && !ownCgroup) s.view.bind(target, realPath(sp));
        else if (copy != null) s.view.bind(target, Path.of(s.hostPath(target))); // a copy of the rootfs' own content
        else if (pseudo || type.equals("cgroup") || ownCgroup) s.view.kernel(target);
        else s.view.fresh(target);
      }
    }
    if (s.spec.linux() != null && s.spec.linux().sysctl() != null && !s.spec.linux().sysctl().isEmpty()
        && pseudoMountFor(l, "/proc/sys", "proc") == null) {
      throw new RootfsConfigException("linux.sysctl: needs a proc mount on /proc in mounts");
    }
    return List.copyOf(l);
  }

  /**
   * The parent-side detached id-mapped mount for mounts[i]; its fd is closed by {@link #close}.
   * The mapping is the mount's own, else the container's: linux.uidMappings/gidMappings, or,
   * without them, the user namespace joined by path itself (runc's idmap option; its bats
   * "idmap mount with implied mapping and joined userns").
   */
  static int idmapFd(RootfsSetup s, int i, Mount m, MountOptions o, String dest, String source) {
    List<io.jrunc.spec.LinuxIDMapping> uids = m.uidMappings(), gids = m.gidMappings();
    String joined = null;
    if (!notEmpty(uids)) {
      uids = s.spec.linux() == null ? null : s.spec.linux().uidMappings();
      gids = s.spec.linux() == null ? null : s.spec.linux().gidMappings();
      if (!notEmpty(uids) || !notEmpty(gids)) {
        joined = s.spec.linux() == null ? null : s.spec.linux().joinedNamespace("user");
        // the validator's MountRules refuse a config with neither
        if (joined == null) throw new IllegalArgumentException("mounts[" + i + "]: idmap without mappings: not a validated config");
      }
    }
    String what = "mount " + source + " (type bind) to " + dest;
    try {
      int userns = joined != null
          ? io.jrunc.core.sys.Libc.open(joined, io.jrunc.core.sys.Open.O_RDONLY | io.jrunc.core.sys.Open.O_NONBLOCK
              | io.jrunc.core.sys.Open.O_CLOEXEC, 0)
          : IdmappedMounts.userns(uids, gids);
      try {
        int fd = IdmappedMounts.detached(what, source, o, userns);
        s.parentFds.add(fd);
        return fd;
      } finally {
        io.jrunc.core.sys.Libc.close(userns);
      }
    } catch (io.jrunc.core.sys.SysException e) {
      s.close();
      throw new RootfsConfigException(e.getMessage());
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  static int bindFd(RootfsSetup s, MountOptions o, String dest, String source) {
    try {
      int fd = IdmappedMounts.detached("mount " + source + " (type bind) to " + dest, source, o, -1);
      s.parentFds.add(fd);
      return fd;
    } catch (io.jrunc.core.sys.SysException e) {
      s.close();
      throw new RootfsConfigException(e.getMessage());
    }
  }

  /**
   * Default devices (runc's specconv.AllowedDevices, mode 0666, root-owned) then linux.devices;
   * a configured path wins. Each is made where its path resolves in the container's tree after
   * every mount (runc makes it at the securejoin'ed path); that place is what is checked: not
   * the root, and nothing inside /proc.
   */
  static List<Dev> planDevices(RootfsSetup s) {
    Map<String, Dev> byPath = new LinkedHashMap<>();
    Map<String, String> where = new LinkedHashMap<>();
    for (Object[] d : new Object[][] {{"/dev/null", 1, 3}, {"/dev/zero", 1, 5}, {"/dev/full", 1, 7},
        {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}}) {
      String path = (String) d[0];
      byPath.put(path, new Dev(path, S_IFCHR, (int) d[1], (int) d[2], 0666, null, null, comps(path)));
      where.put(path, "default device " + path);
    }
    if (s.spec.linux() != null && s.spec.linux().devices() != null) {
      for (int i = 0; i < s.spec.linux().devices().size(); i++) {
        Dev d = device(i, s.spec.linux().devices().get(i));
        byPath.put(d.path(), d);
        where.put(d.path(), "linux.devices[" + i + "] (" + d.path() + ")");
      }
    }
    List<Dev> out = new ArrayList<>();
    for (Dev d : byPath.values()) {
      String w = where.get(d.path());
      String target = s.resolve(w, d.path());
      if (target.equals("/")) throw new RootfsConfigException(w + ": resolves to / in the rootfs, not a device");
      if (target.equals("/proc") || target.startsWith("/proc/")) {
        throw new RootfsConfigException(w + ": \"" + s.hostPath(target) + "\" cannot be created because it is inside /proc");
      }
      out.add(new Dev(d.path(), d.type(), d.major(), d.minor(), d.mode(), d.uid(), d.gid(), comps(target)));
    }
    return List.copyOf(out);
  }

  /** Masked or read-only paths, each resolved in the container's tree after every mount. */
  static List<Resolved> resolvePaths(RootfsSetup s, String where, List<String> paths) {
    if (paths == null) return List.of();
    List<Resolved> out = new ArrayList<>();
    for (int i = 0; i < paths.size(); i++) {
      String p = paths.get(i);
      out.add(new Resolved(clean(p), s.resolve(where + "[" + i + "] (" + p + ")", p)));
    }
    return List.copyOf(out);
  }

  /**
   * A tmpfs without {@code mode=} over a directory of the rootfs takes that directory's mode,
   * setuid, setgid and sticky bits included (runc #3952: a tmpfs on /tmp stays 1777). Read in
   * the parent, resolved inside the rootfs; skipped when an earlier mount covers the place
   * (what is there in the container is not the rootfs's directory then).
   */
  /**
   * A bind of a file onto a directory of the image, or of a directory onto a file: the kernel
   * refuses it at the mount, and said EINVAL without the mount's index (runc: "not a
   * directory"). Where the target is in a filesystem that starts empty, create makes it of the
   * source's type.
   */
  private static void checkBindTypes(RootfsSetup s, String where, String source, boolean isDir, String target) {
    Path host = s.view.host(target);
    if (host == null || target.equals("/")) return;
    boolean dirThere;
    try { // one lstat: missing (made at setup), a link (the view resolved past links) or the type
      var a = Files.readAttributes(host, java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
      if (a.isSymbolicLink()) return;
      dirThere = a.isDirectory();
    } catch (IOException e) {
      return;
    }
    if (dirThere == isDir) return;
    throw new RootfsConfigException(where + ": bind source " + source + (isDir ? " is a directory, but " : " is not a directory, but ")
        + target + " in the container " + (dirThere ? "is one" : "is not") + ": " + Errno.describe(Errno.ENOTDIR));
  }

  static MountOptions inheritMode(RootfsSetup s, MountOptions o, String dest, java.util.Set<String> earlier) {
    // an earlier mount's target is "/", dest, or a parent of dest: looked up per parent, not per
    // earlier mount (a config with thousands of tmpfs mounts made that O(mounts²))
    if (earlier.contains("/") || earlier.contains(dest)) return o;
    for (int k = dest.lastIndexOf('/'); k > 0; k = dest.lastIndexOf('/', k - 1)) {
      if (earlier.contains(dest.substring(0, k))) return o;
    }
    int root = -1, dir = -1;
    try {
      root = MountSyscalls.openat2((int) AT_FDCWD, s.ctx.rootfs().toString(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0,
          "open the rootfs");
      dir = MountSyscalls.openat2(root, dest.substring(1), O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
          RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, "open " + dest + " in the rootfs");
      int mode = (Integer) Files.getAttribute(Path.of("/proc/self/fd/" + dir), "unix:mode") & 07777;
      List<String> data = new ArrayList<>(o.data());
      data.add("mode=" + Integer.toOctalString(mode));
      return new MountOptions(o.flags(), o.clearFlags(), o.propagation(), o.recSet(), o.recClr(), data,
          o.tmpcopyup(), o.idmap(), o.ridmap());
    } catch (IOException | RuntimeException e) {
      return o; // missing or not a directory: the kernel's default (1777)
    } finally {
      if (dir >= 0) Libc.close(dir);
      if (root >= 0) Libc.close(root);
    }
  }
}
