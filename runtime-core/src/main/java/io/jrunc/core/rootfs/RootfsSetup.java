package io.jrunc.core.rootfs;

import static io.jrunc.core.sys.Mount.*;
import static io.jrunc.core.sys.Open.*;
import static io.jrunc.core.sys.Stat.*;

import io.jrunc.core.spawn.Label;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.MountAttr;
import io.jrunc.core.sys.MountSyscalls;
import io.jrunc.core.sys.OpenHow;
import io.jrunc.core.sys.Sys;
import io.jrunc.spec.LinuxDevice;
import io.jrunc.spec.Mount;
import io.jrunc.spec.Spec;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans everything the container's first process does to build its filesystem, as steps of
 * the child program ({@link ProgramBuilder}). The parent calls {@link #validate(Spec)} early,
 * then {@link #plan(RootfsContext)} and {@link #emit(ProgramBuilder)} (or the two halves
 * {@link #emitPrepare} and {@link #emitPivot}, with hooks between them).
 *
 * <p>Contract: the steps run in the child after its namespaces exist and it is uid 0 in the
 * container; they leave it pivoted (or chrooted) into the new root with cwd {@code /}; the
 * process umask is restored to what it was. Requires Linux 5.12 (openat2 5.6, the new mount
 * API 5.2, mount_setattr 5.12); older kernels fail the first such step with ENOSYS.
 *
 * <h2>How mounts are made</h2>
 * Every destination (and every device, masked and read-only path) is first resolved in the
 * parent, in the container's tree as the planned mounts make it ({@link RootfsView}: symlinks
 * followed with the rootfs as {@code /}, {@code ..} clamped), and every check is made on that
 * target, not on the configured string: an image symlink {@code /pp -> /proc} cannot turn a
 * bind mount to {@code /pp} into one over the container's procfs (CVE-2019-16884 class), and a
 * dangling symlink's target is made inside the rootfs. The child then walks exactly that target
 * with {@code openat2(rootfd, target, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
 * RESOLVE_NO_SYMLINKS)}: confined to the rootfs even if it changed since planning (a symlink
 * then fails the step instead of redirecting it; CVE-2021-30465). Missing components are
 * created one {@code mkdirat} per component (EEXIST allowed) in the child, because they may
 * only exist after earlier mounts ({@code /dev/pts} inside a {@code /dev} tmpfs). The mount
 * itself uses the new mount API and never a path string: {@code fsopen}/{@code fsconfig}/
 * {@code fsmount} for a filesystem, {@code open_tree(OPEN_TREE_CLONE)} for a bind, flags set
 * on the still-detached mount with {@code mount_setattr}, then {@code move_mount} onto the
 * resolved fd ({@code MOVE_MOUNT_T_EMPTY_PATH}). Compared with {@code mount(2)} on
 * {@code /proc/self/fd/N}: no dependency on a /proc (there is none after pivot_root until the
 * container's own is mounted), a read-only bind is never visible read-write, recursive
 * attributes come for free, and no magic link is ever followed.
 *
 * <h2>Order</h2>
 * <table>
 *   <caption>Steps emitted</caption>
 *   <tr><th>phase</th><th>what</th></tr>
 *   <tr><td>prepare</td><td>umask 0 (saved); {@code /} made rslave (or linux.rootfsPropagation);
 *       rootfs bind-mounted onto itself (recursive) and its fd kept as rootfd</td></tr>
 *   <tr><td>prepare</td><td>config mounts in order; then, unless /dev is a bind mount, the
 *       default and configured devices, /dev symlinks, /dev/ptmx, /dev/console</td></tr>
 *   <tr><td>prepare</td><td>linux.sysctl, readonlyPaths, maskedPaths (resolved beneath the
 *       procfs/sysfs mount this program made, so a symlinked /proc cannot redirect them; the
 *       /dev/null for masking is the host's, opened before pivot)</td></tr>
 *   <tr><td>pivot</td><td>pivot_root (or MS_MOVE + chroot), old root detached; /dev
 *       remounted read-only if asked; root.readonly; rootfsPropagation on the new /; umask back</td></tr>
 * </table>
 */
public final class RootfsSetup implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RootfsSetup.class);
  private static final long DIR_MODE = 0755;
  private static final List<String> PROC_ALLOWED = List.of("/proc/cpuinfo", "/proc/diskstats",
      "/proc/meminfo", "/proc/stat", "/proc/swaps", "/proc/uptime", "/proc/loadavg", "/proc/slabinfo",
      "/proc/pressure/cpu", "/proc/pressure/io", "/proc/pressure/memory", "/proc/net/dev",
      "/proc/sys/kernel/ns_last_pid");

  /**
   * A config mount after validation: {@code dest} as configured (cleaned), {@code target} where
   * it lands (resolved in the rootfs as planned so far), {@code comps} the components of target
   * and {@code resolve} the openat2 flags the child walks them with.
   */
  record Planned(int index, Mount mount, String dest, String target, List<String> comps, long resolve, String source,
      String type, MountOptions opts, boolean sourceIsDir, int parentFd, List<TmpCopyUp.Node> copyUp) {
    String what() {
      String s = source == null || source.isEmpty() ? type : source;
      return "mount " + s + " (type " + type + ") to " + dest;
    }
  }

  /**
   * A device node to create (defaults first, as runc): {@code path} as configured (and the host
   * node bound in a user namespace), {@code comps} where it is made, resolved in the rootfs.
   */
  record Dev(String path, long type, long major, long minor, long mode, Long uid, Long gid, List<String> comps) {}

  /** A masked or read-only path as configured, and as resolved in the container's tree. */
  private record Resolved(String path, String target) {}

  private final RootfsContext ctx;
  private final Spec spec;
  private final HostMounts host;
  private final List<Planned> mounts;
  private final boolean selinux;
  /** The container's tree as the planned mounts make it; every destination is resolved in it. */
  private final RootfsView view;
  private final List<Dev> devices;
  private final List<Resolved> readonlyPaths, maskedPaths;

  // state carried from emitPrepare to emitPivot
  private Step rootfd;
  private Step oldUmask;
  private Step devMount;
  private boolean prepared;

  private RootfsSetup(RootfsContext ctx, HostMounts host, boolean selinux) {
    this.ctx = ctx;
    this.spec = ctx.spec();
    this.host = host;
    this.selinux = selinux;
    this.view = new RootfsView(ctx.rootfs());
    try {
      this.mounts = planMounts();
      this.devices = ctx.mountNs() && needsSetupDev() ? planDevices() : List.of();
      this.readonlyPaths = resolvePaths("linux.readonlyPaths", spec.linux() == null ? null : spec.linux().readonlyPaths());
      this.maskedPaths = resolvePaths("linux.maskedPaths", spec.linux() == null ? null : spec.linux().maskedPaths());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Checks what can be checked without the host: sysctl keys, mount options and destinations,
   * devices, masked/readonly paths, rootfsPropagation. Throws {@link RootfsConfigException}.
   */
  public static void validate(Spec spec) {
    Sysctls.validate(spec);
    if (spec.mounts() != null) {
      for (int i = 0; i < spec.mounts().size(); i++) validateMount(i, spec.mounts().get(i));
    }
    if (spec.linux() != null) {
      rootPropagation(spec);
      checkAbsolute("linux.maskedPaths", spec.linux().maskedPaths());
      checkAbsolute("linux.readonlyPaths", spec.linux().readonlyPaths());
      if (spec.linux().devices() != null) {
        for (int i = 0; i < spec.linux().devices().size(); i++) device(i, spec.linux().devices().get(i));
      }
    }
  }

  /** Validates against the host and plans. Reads /proc/self/mountinfo for cgroup mounts. */
  public static RootfsSetup plan(RootfsContext ctx) {
    validate(ctx.spec());
    return new RootfsSetup(ctx, HostMounts.read(), Files.exists(Path.of("/sys/fs/selinux/enforce")));
  }

  static RootfsSetup plan(RootfsContext ctx, HostMounts host) {
    validate(ctx.spec());
    return new RootfsSetup(ctx, host, false);
  }

  /**
   * {@code plan(ctx)} then {@code emit(b)}. Returns the setup: {@link #close()} it after clone
   * (it holds the parent's copies of id-mapped mounts, if any).
   */
  public static RootfsSetup emit(ProgramBuilder b, RootfsContext ctx) {
    RootfsSetup s = plan(ctx);
    s.emit(b);
    return s;
  }

  /** All steps: {@link #emitPrepare} then {@link #emitPivot}. */
  public void emit(ProgramBuilder b) {
    emitPrepare(b);
    emitPivot(b);
  }

  // ---------------------------------------------------------------- validation

  private static void validateMount(int i, Mount m) {
    String where = "mounts[" + i + "]";
    if (m.destination() == null || m.destination().isEmpty()) {
      throw new RootfsConfigException(where + ": destination is required");
    }
    String dest = clean(m.destination());
    where += " (destination " + dest + ")";
    MountOptions o = MountOptions.parse(m.options());
    boolean bind = o.isBind() || "bind".equals(m.type());
    if (!bind && !o.has(MS_REMOUNT) && (m.type() == null || m.type().isEmpty())) {
      throw new RootfsConfigException(where + ": invalid mount: type is required unless options include bind or rbind");
    }
    if (o.tmpcopyup() && !"tmpfs".equals(m.type())) {
      throw new RootfsConfigException(where + ": option tmpcopyup is only valid for tmpfs mounts");
    }
    if (idmapped(m, o)) {
      if (!bind) throw new RootfsConfigException(where + ": invalid mount: only bind mounts can be id-mapped");
      if (notEmpty(m.uidMappings()) != notEmpty(m.gidMappings())) {
        throw new RootfsConfigException(where + ": invalid mount: uidMappings and gidMappings must be given together");
      }
      checkMappings(where + ".uidMappings", m.uidMappings());
      checkMappings(where + ".gidMappings", m.gidMappings());
    }
    if (bind && !o.data().isEmpty()) {
      // mount(2) ignores data with MS_BIND, and runc passes it along; configs in the wild
      // (runtime-tools' validation suite among them) carry size=/mode= on binds
      LOG.warn("{}: filesystem options {} do not apply to a bind mount and are ignored", where,
          String.join(",", o.data()));
    }
    if (o.propagation().stream().anyMatch(p -> Long.bitCount(p & ~MS_REC) != 1)) {
      throw new RootfsConfigException(where + ": invalid propagation option");
    }
  }

  /**
   * The checks on where a mount lands, made on {@code target}, its destination as resolved in
   * the rootfs ({@link RootfsView}), never on the configured string (CVE-2019-16884 class).
   * runc's checkProcMount, in its words: nothing but a procfs on /proc, and inside /proc only
   * the files lxcfs emulates; procfs and sysfs on an ordinary directory, not through a symlink.
   */
  private void checkTarget(String where, String type, String dest, String target, String source) {
    String host = hostPath(target);
    if (target.equals("/proc") && !type.equals("proc") && !(type.equals("bind") && isProcfs(source))) {
      throw new RootfsConfigException(where + ": \"" + host + "\" cannot be mounted because it is not of type proc");
    }
    if (target.startsWith("/proc/") && !PROC_ALLOWED.contains(target)) {
      throw new RootfsConfigException(where + ": \"" + host + "\" cannot be mounted because it is inside /proc");
    }
    if ((type.equals("proc") || type.equals("sysfs")) && !target.equals(dest)) {
      throw new RootfsConfigException(where + ": filesystem \"" + type + "\" must be mounted on ordinary directory ("
          + dest + " resolves to " + target + " through a symlink in the rootfs)");
    }
  }

  private static boolean isProcfs(String source) {
    try {
      return source != null && "proc".equals(Files.getFileStore(Path.of(source)).type());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The host path of a resolved container path, for messages (runc names the host path). */
  private String hostPath(String target) {
    return target.equals("/") ? ctx.rootfs().toString() : ctx.rootfs() + target;
  }

  /** {@code path} resolved in the tree as planned so far; a symlink loop is a config error of {@code where}. */
  private String resolve(String where, String path) {
    try {
      return view.resolve(path);
    } catch (IOException e) {
      throw new RootfsConfigException(where + ": resolve " + clean(path) + " in the rootfs " + ctx.rootfs() + ": "
          + e.getMessage());
    }
  }

  static boolean idmapped(Mount m, MountOptions o) {
    return o.idmap() || o.ridmap() || notEmpty(m.uidMappings()) || notEmpty(m.gidMappings());
  }

  private static void checkMappings(String where, List<io.jrunc.spec.LinuxIDMapping> maps) {
    if (maps == null) return;
    for (int i = 0; i < maps.size(); i++) {
      var x = maps.get(i);
      if (x == null || x.containerID() == null || x.hostID() == null || x.size() == null || x.size() <= 0) {
        throw new RootfsConfigException(where + "[" + i + "]: containerID, hostID and a positive size are required");
      }
    }
  }

  private static boolean notEmpty(List<?> l) {
    return l != null && !l.isEmpty();
  }

  private static void checkAbsolute(String where, List<String> paths) {
    if (paths == null) return;
    for (int i = 0; i < paths.size(); i++) {
      String p = paths.get(i);
      if (p == null || !p.startsWith("/")) {
        throw new RootfsConfigException(where + "[" + i + "]: " + p + " is not an absolute path");
      }
    }
  }

  /** MS_* flags for linux.rootfsPropagation, or 0 when unset. */
  private static long rootPropagation(Spec spec) {
    String p = spec.linux() == null ? null : spec.linux().rootfsPropagation();
    if (p == null || p.isEmpty()) return 0;
    return switch (p) {
      case "shared" -> MS_SHARED;
      case "rshared" -> MS_SHARED | MS_REC;
      case "slave" -> MS_SLAVE;
      case "rslave" -> MS_SLAVE | MS_REC;
      case "private" -> MS_PRIVATE;
      case "rprivate" -> MS_PRIVATE | MS_REC;
      case "unbindable" -> MS_UNBINDABLE;
      case "runbindable" -> MS_UNBINDABLE | MS_REC;
      default -> throw new RootfsConfigException("linux.rootfsPropagation: unknown value " + p
          + " (expected shared, slave, private, unbindable or their r* forms)");
    };
  }

  private static Dev device(int i, LinuxDevice d) {
    String where = "linux.devices[" + i + "]";
    if (d.path() == null || !d.path().startsWith("/")) {
      throw new RootfsConfigException(where + ": path " + d.path() + " is not an absolute path");
    }
    if (clean(d.path()).equals("/")) throw new RootfsConfigException(where + ": path / is not a device");
    long type = switch (d.type() == null ? "" : d.type()) {
      case "c", "u" -> S_IFCHR;
      case "b" -> S_IFBLK;
      case "p" -> S_IFIFO;
      default -> throw new RootfsConfigException(where + " (" + d.path() + "): type " + d.type() + " is not one of c, b, u, p");
    };
    long major = d.major() == null ? 0 : d.major();
    long minor = d.minor() == null ? 0 : d.minor();
    if (type != S_IFIFO && (d.major() == null || d.minor() == null)) {
      throw new RootfsConfigException(where + " (" + d.path() + "): major and minor are required for type " + d.type());
    }
    if (major < 0 || major > 0xfff || minor < 0 || minor > 0xfffff) {
      throw new RootfsConfigException(where + " (" + d.path() + "): device number " + major + ":" + minor + " out of range");
    }
    long mode = d.fileMode() == null ? 0666 : d.fileMode() & 07777;
    return new Dev(clean(d.path()), type, major, minor, mode, d.uid(), d.gid(), comps(d.path()));
  }

  // ---------------------------------------------------------------- planning

  private List<Planned> planMounts() {
    List<Planned> l = new ArrayList<>();
    List<Mount> ms = spec.mounts() == null ? List.of() : spec.mounts();
    boolean needNs = !ms.isEmpty() || ctx.noPivot()
        || (spec.linux() != null && (notEmpty(spec.linux().maskedPaths()) || notEmpty(spec.linux().readonlyPaths())
            || notEmpty(spec.linux().devices()) || (spec.linux().sysctl() != null && !spec.linux().sysctl().isEmpty())))
        || (spec.root() != null && Boolean.TRUE.equals(spec.root().readonly()));
    if (!ctx.mountNs() && needNs) {
      throw new RootfsConfigException("linux.namespaces: mounts, devices, masked/readonly paths, sysctl and root.readonly"
          + " need a mount namespace (add {\"type\": \"mount\"})");
    }
    for (int i = 0; i < ms.size(); i++) {
      Mount m = ms.get(i);
      MountOptions o = MountOptions.parse(m.options());
      String dest = clean(m.destination());
      boolean bind = o.isBind() || "bind".equals(m.type());
      String type = bind ? "bind" : m.type() == null || m.type().isEmpty() ? "none" : m.type();
      if (bind && !o.isBind()) o = withFlags(o, MS_BIND);
      String source = m.source();
      boolean isDir = true;
      boolean ownCgroup = false;
      if ("cgroup".equals(type) && host.cgroup2Unified() && !ctx.cgroupNs() && ctx.cgroupDirs() != null
          && ctx.cgroupDirs().get("") != null) {
        // cgroup v2 host, no cgroup namespace: the container's own directory, not the host's whole tree
        type = "bind";
        ownCgroup = true;
        source = ctx.cgroupDirs().get("").toString();
        o = withFlags(o, MS_BIND | MS_REC);
      }
      String where = "mounts[" + i + "] (destination " + dest + ")";
      Path sp = null;
      if (type.equals("bind") && !o.has(MS_REMOUNT)) {
        if (source == null || source.isEmpty()) {
          throw new RootfsConfigException("mounts[" + i + "] (destination " + dest + "): a bind mount needs a source");
        }
        sp = Path.of(source);
        if (!sp.isAbsolute()) sp = ctx.bundle().resolve(sp);
        source = sp.normalize().toString();
        // the systemd driver's scope exists only once the child is in it (the mount comes later)
        if (!ownCgroup && !Files.exists(sp)) {
          throw new RootfsConfigException("mounts[" + i + "] (destination " + dest + "): bind source " + source
              + ": " + Errno.describe(Errno.ENOENT));
        }
        isDir = ownCgroup || Files.isDirectory(sp);
      }
      // where it lands, through the image's symlinks and the mounts before it: all checks are
      // made there, and the child mounts exactly there (no symlink followed on the way)
      String target = resolve(where, dest);
      checkTarget(where, type, dest, target, source);
      if (target.equals("/") && !isDir) {
        throw new RootfsConfigException(where + ": bind source " + source + " is not a directory (only a directory can"
            + " be mounted over the container's root)");
      }
      if ("cgroup".equals(type) && !host.cgroup2Unified() && !ctx.cgroupNs()) {
        for (HostMounts.Entry h : host.cgroupHierarchies()) {
          String name = Path.of(h.mountPoint()).getFileName().toString();
          if (ctx.cgroupDirs() == null || ctx.cgroupDirs().get(name) == null) {
            throw new RootfsConfigException("mounts[" + i + "] (destination " + dest + "): a cgroup mount without a cgroup"
                + " namespace needs the container's directory in hierarchy " + name + " (RootfsContext.cgroupDirs)");
          }
        }
      }
      if (type.equals("tmpfs") && !o.has(MS_REMOUNT) && o.data().stream().noneMatch(d -> d.startsWith("mode="))) {
        o = inheritMode(o, target, l);
      }
      int fd = -1;
      if (type.equals("bind") && idmapped(m, o) && !o.has(MS_REMOUNT)) fd = idmapFd(i, m, o, dest, source);
      else if (type.equals("bind") && !o.has(MS_REMOUNT) && !ownCgroup && ctx.newUserNs()
          && io.jrunc.core.sys.Libc.geteuid() == 0) {
        // In a new user namespace the child may not reach the source (a 0700 parent directory
        // of root's): the parent clones it as root and hands the child the mount (runc opens
        // bind sources before entering the user namespace, too).
        fd = bindFd(o, dest, source);
      }
      List<TmpCopyUp.Node> copy = o.tmpcopyup() ? TmpCopyUp.snapshot(ctx.rootfs(), target, where) : null;
      // inside procfs, sysfs or a cgroup mount the kernel's own symlinks (/proc/net -> self/net)
      // are followed, confined to the root; procfs and sysfs themselves never through a symlink
      boolean pseudo = type.equals("proc") || type.equals("sysfs");
      long resolve = !pseudo && view.inKernelFs(target) ? IN_KERNEL_FS : RESOLVED;
      l.add(new Planned(i, m, dest, target, comps(target), resolve, source, type, o, isDir, fd, copy));
      if (!o.has(MS_REMOUNT)) {
        if (sp != null && !ownCgroup) view.bind(target, realPath(sp));
        else if (copy != null) view.bind(target, Path.of(hostPath(target))); // a copy of the rootfs' own content
        else if (pseudo || type.equals("cgroup") || ownCgroup) view.kernel(target);
        else view.fresh(target);
      }
    }
    if (spec.linux() != null && spec.linux().sysctl() != null && !spec.linux().sysctl().isEmpty()
        && pseudoMountFor(l, "/proc/sys", "proc") == null) {
      throw new RootfsConfigException("linux.sysctl: needs a proc mount on /proc in mounts");
    }
    return List.copyOf(l);
  }

  private static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p; // gone meanwhile: the child's open_tree reports it
    }
  }

  private final List<Integer> parentFds = new ArrayList<>();

  /** The parent-side detached id-mapped mount for mounts[i]; its fd is closed by {@link #close}. */
  private int idmapFd(int i, Mount m, MountOptions o, String dest, String source) {
    List<io.jrunc.spec.LinuxIDMapping> uids = m.uidMappings(), gids = m.gidMappings();
    if (!notEmpty(uids)) {
      uids = spec.linux() == null ? null : spec.linux().uidMappings();
      gids = spec.linux() == null ? null : spec.linux().gidMappings();
      if (!notEmpty(uids) || !notEmpty(gids)) {
        throw new RootfsConfigException("mounts[" + i + "] (destination " + dest + "): option "
            + (o.ridmap() ? "ridmap" : "idmap") + " without uidMappings/gidMappings needs linux.uidMappings and linux.gidMappings");
      }
    }
    String what = "mount " + source + " (type bind) to " + dest;
    try {
      int userns = IdmappedMounts.userns(uids, gids);
      try {
        int fd = IdmappedMounts.detached(what, source, o, userns);
        parentFds.add(fd);
        return fd;
      } finally {
        io.jrunc.core.sys.Libc.close(userns);
      }
    } catch (io.jrunc.core.sys.SysException e) {
      close();
      throw new RootfsConfigException(e.getMessage());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private int bindFd(MountOptions o, String dest, String source) {
    try {
      int fd = IdmappedMounts.detached("mount " + source + " (type bind) to " + dest, source, o, -1);
      parentFds.add(fd);
      return fd;
    } catch (io.jrunc.core.sys.SysException e) {
      close();
      throw new RootfsConfigException(e.getMessage());
    }
  }

  /**
   * Closes the parent's copies of the detached mounts planned for the child (id-mapped binds).
   * Call after clone: the child has inherited them.
   */
  @Override
  public void close() {
    for (int fd : parentFds) io.jrunc.core.sys.Libc.close(fd);
    parentFds.clear();
  }

  private static MountOptions withFlags(MountOptions o, long f) {
    return new MountOptions(o.flags() | f, o.clearFlags(), o.propagation(), o.recSet(), o.recClr(), o.data(),
        o.tmpcopyup(), o.idmap(), o.ridmap());
  }

  /** True unless /dev is bind-mounted from the host (runc's needsSetupDev). */
  boolean needsSetupDev() {
    return mounts.stream().noneMatch(m -> m.dest.equals("/dev") && m.type.equals("bind"));
  }

  /** The devices the child makes (none when /dev is bound from the host or there is no mount namespace). */
  List<Dev> devices() {
    return devices;
  }

  /**
   * Default devices (runc's specconv.AllowedDevices, mode 0666, root-owned) then linux.devices;
   * a configured path wins. Each is made where its path resolves in the container's tree after
   * every mount (runc makes it at the securejoin'ed path); that place is what is checked: not
   * the root, and nothing inside /proc.
   */
  private List<Dev> planDevices() {
    Map<String, Dev> byPath = new LinkedHashMap<>();
    Map<String, String> where = new LinkedHashMap<>();
    for (Object[] d : new Object[][] {{"/dev/null", 1, 3}, {"/dev/zero", 1, 5}, {"/dev/full", 1, 7},
        {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}}) {
      String path = (String) d[0];
      byPath.put(path, new Dev(path, S_IFCHR, (int) d[1], (int) d[2], 0666, null, null, comps(path)));
      where.put(path, "default device " + path);
    }
    if (spec.linux() != null && spec.linux().devices() != null) {
      for (int i = 0; i < spec.linux().devices().size(); i++) {
        Dev d = device(i, spec.linux().devices().get(i));
        byPath.put(d.path, d);
        where.put(d.path, "linux.devices[" + i + "] (" + d.path + ")");
      }
    }
    List<Dev> out = new ArrayList<>();
    for (Dev d : byPath.values()) {
      String w = where.get(d.path);
      String target = resolve(w, d.path);
      if (target.equals("/")) throw new RootfsConfigException(w + ": resolves to / in the rootfs, not a device");
      if (target.equals("/proc") || target.startsWith("/proc/")) {
        throw new RootfsConfigException(w + ": \"" + hostPath(target) + "\" cannot be created because it is inside /proc");
      }
      out.add(new Dev(d.path, d.type, d.major, d.minor, d.mode, d.uid, d.gid, comps(target)));
    }
    return List.copyOf(out);
  }

  /** Masked or read-only paths, each resolved in the container's tree after every mount. */
  private List<Resolved> resolvePaths(String where, List<String> paths) {
    if (paths == null) return List.of();
    List<Resolved> out = new ArrayList<>();
    for (int i = 0; i < paths.size(); i++) {
      String p = paths.get(i);
      out.add(new Resolved(clean(p), resolve(where + "[" + i + "] (" + p + ")", p)));
    }
    return List.copyOf(out);
  }

  // ---------------------------------------------------------------- emitting: prepare

  /**
   * Everything before pivot_root: propagation, the rootfs bind, config mounts, devices, sysctl,
   * readonly and masked paths. createRuntime/createContainer hooks belong between this and
   * {@link #emitPivot}.
   */
  public void emitPrepare(ProgramBuilder b) {
    if (prepared) throw new IllegalStateException("emitPrepare called twice");
    prepared = true;
    oldUmask = b.call(Sys.UMASK, 0L).describe("set umask 0 for the rootfs setup");
    String rootfs = ctx.rootfs().toString();
    if (!ctx.mountNs()) return;

    // 1. Nothing we mount may propagate to the host: / becomes rslave (runc's default) unless
    // the config asks otherwise; shared propagation also needs the rootfs' parent mount private
    // so pivot_root (which refuses a shared parent) works.
    long prop = rootPropagation(spec);
    long first = prop == 0 ? MS_SLAVE | MS_REC : prop;
    // the kernel refuses to clone an unbindable mount (open_tree, and mount --bind, give
    // EINVAL): private until the rootfs is bound, unbindable once / is the container's
    if ((first & MS_UNBINDABLE) != 0) first = MS_PRIVATE | (first & MS_REC);
    b.call(Sys.MOUNT, null, "/", null, first, null).describe("make / " + propName(first) + " in the container's mount namespace");
    if ((first & MS_SHARED) != 0) {
      String parent = host.mountPointOf(ctx.rootfs());
      b.call(Sys.MOUNT, null, parent, null, MS_PRIVATE, null).describe("make " + parent + " (the mount holding the rootfs) private");
    }
    // 2. The rootfs bound onto itself: a mount point for pivot_root, and the fd every later
    // path is resolved against.
    Step tree = b.call(Sys.OPEN_TREE, AT_FDCWD, rootfs, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)
        .describe("bind-mount the rootfs " + rootfs + " onto itself");
    b.call(Sys.MOVE_MOUNT, tree, "", AT_FDCWD, rootfs, MOVE_MOUNT_F_EMPTY_PATH)
        .describe("bind-mount the rootfs " + rootfs + " onto itself");
    rootfd = tree;

    Map<Planned, Step> kept = new LinkedHashMap<>();
    for (Planned m : mounts) emitMount(b, m, kept);

    if (needsSetupDev()) emitDev(b);

    emitSysctl(b, kept);
    emitReadonlyPaths(b, kept);
    emitMaskedPaths(b, kept);
    for (Map.Entry<Planned, Step> e : kept.entrySet()) {
      if (e.getValue() != devMount) b.call(Sys.CLOSE, e.getValue()).describe("close the mount fd of " + e.getKey().dest);
    }
  }

  private static String propName(long f) {
    String r = (f & MS_REC) != 0 ? "r" : "";
    if ((f & MS_SHARED) != 0) return r + "shared";
    if ((f & MS_SLAVE) != 0) return r + "slave";
    if ((f & MS_PRIVATE) != 0) return r + "private";
    return r + "unbindable";
  }

  private static MemorySegment mountAttr(ProgramBuilder b, long set, long clr, long propagation) {
    return MountAttr.write(b.alloc(MountAttr.LAYOUT), set, clr, propagation, 0);
  }

  private static Step openat2(ProgramBuilder b, Object dirfd, String rel, long flags, long resolve) {
    MemorySegment how = OpenHow.write(b.alloc(OpenHow.LAYOUT), flags, 0, resolve);
    return b.call(Sys.OPENAT2, dirfd, rel.isEmpty() ? "." : rel, how, how.byteSize());
  }

  /**
   * Creates the directories {@code comps[0..upto)} beneath {@code base} (one mkdirat per
   * component, EEXIST allowed; each parent re-resolved from {@code base} with {@code resolve}).
   */
  private void mkdirs(ProgramBuilder b, Step base, String baseDisplay, List<String> comps, int upto, long resolve) {
    for (int i = 0; i < upto; i++) {
      Step parent = base;
      if (i > 0) {
        parent = openat2(b, base, join(comps, i), O_PATH | O_DIRECTORY | O_CLOEXEC, resolve)
            .describe("open " + display(baseDisplay, comps, i));
      }
      b.call(Sys.MKDIRAT, parent, comps.get(i), DIR_MODE).allow(Errno.EEXIST)
          .describe("create mount point " + display(baseDisplay, comps, i + 1));
      if (i > 0) b.call(Sys.CLOSE, parent).describe("close " + display(baseDisplay, comps, i));
    }
  }

  /** Creates an empty regular file {@code comps} (after its parents) beneath {@code base}, if nothing is there. */
  private void mkfile(ProgramBuilder b, Step base, String baseDisplay, List<String> comps, long resolve) {
    int n = comps.size();
    mkdirs(b, base, baseDisplay, comps, n - 1, resolve);
    Step parent = n == 1 ? base : openat2(b, base, join(comps, n - 1), O_PATH | O_DIRECTORY | O_CLOEXEC, resolve)
        .describe("open " + display(baseDisplay, comps, n - 1));
    b.call(Sys.MKNODAT, parent, comps.get(n - 1), S_IFREG | 0644, 0L).allow(Errno.EEXIST)
        .describe("create mount point " + display(baseDisplay, comps, n));
    if (n > 1) b.call(Sys.CLOSE, parent).describe("close " + display(baseDisplay, comps, n - 1));
  }

  private static String display(String base, List<String> comps, int n) {
    String s = join(comps, n);
    return base.equals("/") ? "/" + s : base + (s.isEmpty() ? "" : "/" + s);
  }

  /**
   * A mount's target was resolved in the parent (symlinks followed inside the rootfs, and
   * checked there): the child walks exactly that path, confined to the root and refusing any
   * symlink, so a rootfs changed since planning makes the step fail instead of redirecting it.
   */
  private static final long RESOLVED = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS;
  /** A target inside procfs, sysfs or cgroupfs: the kernel's symlinks there are followed, inside the root. */
  private static final long IN_KERNEL_FS = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

  /** What a failed open of the mount point of {@code m} adds: procfs and sysfs need an ordinary directory (runc's words). */
  private static String why(Planned m) {
    return m.type.equals("proc") || m.type.equals("sysfs") ? " (must be mounted on ordinary directory)" : "";
  }

  private void emitMount(ProgramBuilder b, Planned m, Map<Planned, Step> kept) {
    String what = m.what();
    MountOptions o = m.opts;
    if (o.has(MS_REMOUNT)) {
      Step t = openat2(b, rootfd, join(m.comps, m.comps.size()), O_PATH | O_CLOEXEC, m.resolve)
          .describe("open mount point " + m.target);
      // mount(2)'s remount replaces all per-mount flags; mount_setattr does the same when every
      // settable attribute is in attr_clr.
      long clr = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME
          | MOUNT_ATTR_NODIRATIME;
      b.call(Sys.MOUNT_SETATTR, t, "", AT_EMPTY_PATH, mountAttr(b, o.attrSet(), clr, 0), MountAttr.SIZE_VER0)
          .describe("remount " + m.dest);
      emitPropagation(b, t, o, "remount " + m.dest);
      if (!o.data().isEmpty() && !o.isBind()) {
        // filesystem options (size=, mode=, ...) belong to the superblock: fspick(2) opens a
        // context on the mounted filesystem, and a reconfigure applies just the keys given
        String re = "remount " + m.dest + " with " + String.join(",", o.data());
        Step fs = b.call(Sys.FSPICK, t, "", FSPICK_CLOEXEC | FSPICK_EMPTY_PATH).describe(re + ": pick its filesystem");
        fsOptions(b, fs, re, o.data());
        b.call(Sys.FSCONFIG, fs, FSCONFIG_CMD_RECONFIGURE, null, null, 0L).describe(re);
        b.call(Sys.CLOSE, fs).describe(re + ": close the filesystem context");
      }
      b.call(Sys.CLOSE, t).describe("close " + m.dest);
      return;
    }
    if (m.type.equals("cgroup") && !host.cgroup2Unified()) {
      emitCgroupV1(b, m, kept);
      return;
    }
    // /dev is mounted writable so devices can be created, and made read-only at the end (runc).
    boolean deferRo = m.dest.equals("/dev") && o.has(MS_RDONLY) && m.parentFd < 0;
    // a read-only tmpcopyup tmpfs is filled first, then made read-only
    boolean copyRo = m.copyUp != null && o.has(MS_RDONLY);
    long attrSet = deferRo || copyRo ? o.attrSet() & ~MOUNT_ATTR_RDONLY : o.attrSet();

    Object mnt = detachedMount(b, m, what, attrSet, deferRo || copyRo);
    if (m.copyUp != null) {
      // filled while still detached: the container never sees it half-copied
      boolean userns = ctx.newUserNs() && spec.linux() != null;
      TmpCopyUp.emit(b, mnt, m.dest, m.copyUp, userns ? spec.linux().uidMappings() : null,
          userns ? spec.linux().gidMappings() : null);
      if (copyRo) {
        b.call(Sys.MOUNT_SETATTR, mnt, "", AT_EMPTY_PATH, mountAttr(b, MOUNT_ATTR_RDONLY, 0, 0), MountAttr.SIZE_VER0)
            .describe(what + ": make it read-only after tmpcopyup");
      }
    }
    Step target = mountTarget(b, rootfd, "/", m.comps, m.sourceIsDir, m.resolve, why(m));
    b.call(Sys.MOVE_MOUNT, mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH).describe(what);
    b.call(Sys.CLOSE, target).describe("close mount point " + m.target);
    emitPropagation(b, mnt, o, what);
    if (m.comps.isEmpty()) {
      // a mount over / itself (runc and crun accept it): it is the container's root from now
      // on, for the mounts after it, pivot_root and root.readonly, as runc's path-based setup
      // reaches the top mount of the rootfs path
      Step over = openat2(b, mnt, "", O_PATH | O_DIRECTORY | O_CLOEXEC, 0).describe(what + ": open the new root");
      b.call(Sys.CLOSE, rootfd).describe("close the covered rootfs fd");
      rootfd = over;
    }
    if (deferRo) devMount = (Step) mnt;
    if ((deferRo || m.type.equals("proc") || m.type.equals("sysfs")) && mnt instanceof Step st) {
      kept.put(m, st);
    } else {
      b.call(Sys.CLOSE, mnt).describe("close the mount fd of " + m.dest);
    }
  }

  /** A detached mount for {@code m}: a clone of the bind source, or a new filesystem instance. */
  private Object detachedMount(ProgramBuilder b, Planned m, String what, long attrSet, boolean deferRo) {
    MountOptions o = m.opts;
    if (m.parentFd >= 0) {
      // prepared by the parent (id-mapped), flags included: the child only moves it into place
      return b.inherit(m.parentFd);
    }
    Step mnt;
    if (m.type.equals("bind")) {
      long rec = o.isRecursiveBind() ? AT_RECURSIVE : 0;
      mnt = b.call(Sys.OPEN_TREE, AT_FDCWD, m.source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec).describe(what);
      long clr = o.attrClr();
      if (attrSet != 0 || clr != 0) {
        // Only what the options name changes: flags the source has (nosuid, nodev from the host)
        // stay, which also keeps a user namespace's locked flags.
        b.call(Sys.MOUNT_SETATTR, mnt, "", AT_EMPTY_PATH, mountAttr(b, attrSet, clr, 0), MountAttr.SIZE_VER0)
            .describe(what + ": set mount flags");
      }
    } else {
      String fstype = m.type.equals("cgroup") ? "cgroup2" : m.type; // pure v2 host: runc mounts cgroup2
      Step fs = b.call(Sys.FSOPEN, fstype, FSOPEN_CLOEXEC).describe(what + ": open filesystem type " + fstype);
      if (m.source != null && !m.source.isEmpty()) {
        b.call(Sys.FSCONFIG, fs, FSCONFIG_SET_STRING, "source", m.source, 0L).describe(what + ": set source");
      }
      for (String f : o.superblockFlags()) {
        if (deferRo && f.equals("ro")) continue;
        b.call(Sys.FSCONFIG, fs, FSCONFIG_SET_FLAG, f, null, 0L).describe(what + ": option " + f);
      }
      fsOptions(b, fs, what, o.data());
      if (selinux && spec.linux() != null && spec.linux().mountLabel() != null && !spec.linux().mountLabel().isEmpty()
          && labelled(fstype) && o.data().stream().noneMatch(d -> d.startsWith("context="))) {
        b.call(Sys.FSCONFIG, fs, FSCONFIG_SET_STRING, "context", spec.linux().mountLabel(), 0L)
            .describe(what + ": option context=" + spec.linux().mountLabel());
      }
      b.call(Sys.FSCONFIG, fs, FSCONFIG_CMD_CREATE, null, null, 0L).describe(what);
      mnt = b.call(Sys.FSMOUNT, fs, FSMOUNT_CLOEXEC, attrSet).describe(what);
      b.call(Sys.CLOSE, fs).describe(what + ": close the filesystem context");
    }
    if (o.recSet() != 0 || o.recClr() != 0) {
      b.call(Sys.MOUNT_SETATTR, mnt, "", AT_EMPTY_PATH | AT_RECURSIVE, mountAttr(b, o.recSet(), o.recClr(), 0), MountAttr.SIZE_VER0)
          .describe(what + ": set recursive mount flags");
    }
    return mnt;
  }

  /** runc labels every mount but proc, sysfs, binds and cgroups (selinux label.FormatMountLabel). */
  private static boolean labelled(String fstype) {
    return !fstype.equals("proc") && !fstype.equals("sysfs") && !fstype.startsWith("cgroup");
  }

  /** Filesystem options, one fsconfig each: {@code key=value} a string, a bare word a flag. */
  private static void fsOptions(ProgramBuilder b, Step fs, String what, List<String> data) {
    for (String d : data) {
      for (String opt : splitOptions(d)) {
        if (opt.isEmpty()) continue;
        int eq = opt.indexOf('=');
        if (eq < 0) {
          b.call(Sys.FSCONFIG, fs, FSCONFIG_SET_FLAG, opt, null, 0L).describe(what + ": option " + opt);
        } else {
          b.call(Sys.FSCONFIG, fs, FSCONFIG_SET_STRING, opt.substring(0, eq), opt.substring(eq + 1), 0L)
              .describe(what + ": option " + opt);
        }
      }
    }
  }

  /** Splits a data option at commas outside double quotes (SELinux contexts contain commas). */
  static List<String> splitOptions(String s) {
    List<String> l = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean q = false;
    for (char c : s.toCharArray()) {
      if (c == '"') q = !q;
      if (c == ',' && !q) {
        l.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    l.add(cur.toString());
    return l;
  }

  private void emitPropagation(ProgramBuilder b, Object mnt, MountOptions o, String what) {
    for (long p : o.propagation()) {
      long flags = AT_EMPTY_PATH | ((p & MS_REC) != 0 ? AT_RECURSIVE : 0);
      b.call(Sys.MOUNT_SETATTR, mnt, "", flags, mountAttr(b, 0, 0, p & ~MS_REC), MountAttr.SIZE_VER0)
          .describe(what + ": set propagation " + propName(p));
    }
  }

  /**
   * Creates (if missing) and opens the mount target {@code comps} beneath {@code base};
   * {@code why} is added to the open's description (procfs and sysfs refuse a symlink on the
   * way, in runc's words, which its tests match).
   */
  private Step mountTarget(ProgramBuilder b, Step base, String baseDisplay, List<String> comps, boolean dir, long resolve,
      String why) {
    if (dir) mkdirs(b, base, baseDisplay, comps, comps.size(), resolve);
    else mkfile(b, base, baseDisplay, comps, resolve);
    return openat2(b, base, join(comps, comps.size()), O_PATH | O_CLOEXEC | (dir ? O_DIRECTORY : 0), resolve)
        .describe("open mount point " + display(baseDisplay, comps, comps.size()) + why);
  }

  /**
   * A {@code cgroup} mount on a cgroup v1 (or hybrid) host, as runc: a tmpfs (mode 755) at the
   * destination, in it one directory per host hierarchy with a cgroupfs of the same controllers
   * (in a cgroup namespace) or a bind of the container's own directory (without one), symlinks
   * for co-mounted controllers ({@code cpu -> cpu,cpuacct}), and the tmpfs made read-only last
   * when the mount is {@code ro}.
   */
  private void emitCgroupV1(ProgramBuilder b, Planned m, Map<Planned, Step> kept) {
    MountOptions o = m.opts;
    String what = "mount cgroup hierarchies (type cgroup) to " + m.dest;
    long base = (o.attrSet() & ~MOUNT_ATTR_RDONLY) | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
    Step fs = b.call(Sys.FSOPEN, "tmpfs", FSOPEN_CLOEXEC).describe(what + ": open filesystem type tmpfs");
    b.call(Sys.FSCONFIG, fs, FSCONFIG_SET_STRING, "source", "tmpfs", 0L).describe(what + ": set source");
    b.call(Sys.FSCONFIG, fs, FSCONFIG_SET_STRING, "mode", "755", 0L).describe(what + ": option mode=755");
    b.call(Sys.FSCONFIG, fs, FSCONFIG_CMD_CREATE, null, null, 0L).describe(what + ": create the tmpfs");
    Step tmp = b.call(Sys.FSMOUNT, fs, FSMOUNT_CLOEXEC, base).describe(what + ": mount the tmpfs");
    b.call(Sys.CLOSE, fs).describe(what + ": close the filesystem context");
    Step target = mountTarget(b, rootfd, "/", m.comps, true, RESOLVED, " (must be mounted on ordinary directory)");
    b.call(Sys.MOVE_MOUNT, tmp, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH).describe(what + ": mount the tmpfs");
    b.call(Sys.CLOSE, target).describe("close mount point " + m.target);

    for (HostMounts.Entry h : host.cgroupHierarchies()) {
      String name = Path.of(h.mountPoint()).getFileName().toString();
      String sub = m.dest + "/" + name;
      String subWhat = "mount cgroup " + name + " (type " + h.fsType() + ") to " + sub;
      Step mnt;
      if (ctx.cgroupNs()) {
        Step cfs = b.call(Sys.FSOPEN, h.fsType(), FSOPEN_CLOEXEC).describe(subWhat + ": open filesystem type " + h.fsType());
        b.call(Sys.FSCONFIG, cfs, FSCONFIG_SET_STRING, "source", "cgroup", 0L).describe(subWhat + ": set source");
        if (h.fsType().equals("cgroup")) {
          for (String opt : h.superOptions().split(",")) {
            if (opt.equals("rw") || opt.equals("ro")) continue;
            int eq = opt.indexOf('=');
            if (eq < 0) {
              b.call(Sys.FSCONFIG, cfs, FSCONFIG_SET_FLAG, opt, null, 0L).describe(subWhat + ": option " + opt);
            } else {
              b.call(Sys.FSCONFIG, cfs, FSCONFIG_SET_STRING, opt.substring(0, eq), opt.substring(eq + 1), 0L)
                  .describe(subWhat + ": option " + opt);
            }
          }
        }
        b.call(Sys.FSCONFIG, cfs, FSCONFIG_CMD_CREATE, null, null, 0L).describe(subWhat);
        mnt = b.call(Sys.FSMOUNT, cfs, FSMOUNT_CLOEXEC, o.attrSet() | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)
            .describe(subWhat);
        b.call(Sys.CLOSE, cfs).describe(subWhat + ": close the filesystem context");
      } else {
        String src = ctx.cgroupDirs().get(name).toString();
        subWhat = "mount " + src + " (type bind) to " + sub;
        mnt = b.call(Sys.OPEN_TREE, AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE).describe(subWhat);
        b.call(Sys.MOUNT_SETATTR, mnt, "", AT_EMPTY_PATH,
            mountAttr(b, o.attrSet() | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, o.attrClr(), 0), MountAttr.SIZE_VER0)
            .describe(subWhat + ": set mount flags");
      }
      b.call(Sys.MKDIRAT, tmp, name, DIR_MODE).allow(Errno.EEXIST).describe("create mount point " + sub);
      Step t = openat2(b, tmp, name, O_PATH | O_DIRECTORY | O_CLOEXEC, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)
          .describe("open mount point " + sub);
      b.call(Sys.MOVE_MOUNT, mnt, "", t, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH).describe(subWhat);
      b.call(Sys.CLOSE, t).describe("close mount point " + sub);
      b.call(Sys.CLOSE, mnt).describe("close the mount fd of " + sub);
      if (name.contains(",")) {
        for (String part : name.split(",")) {
          b.call(Sys.SYMLINKAT, name, tmp, part).allow(Errno.EEXIST)
              .describe("create symlink " + m.dest + "/" + part + " -> " + name);
        }
      }
    }
    emitPropagation(b, tmp, o, what);
    if (o.has(MS_RDONLY)) {
      b.call(Sys.MOUNT_SETATTR, tmp, "", AT_EMPTY_PATH, mountAttr(b, MOUNT_ATTR_RDONLY, 0, 0), MountAttr.SIZE_VER0)
          .describe("make " + m.dest + " read-only");
    }
    b.call(Sys.CLOSE, tmp).describe("close the mount fd of " + m.dest);
  }

  /** Devices, /dev symlinks, /dev/ptmx, /dev/console. */
  private void emitDev(ProgramBuilder b) {
    long resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    mkdirs(b, rootfd, "/", List.of("dev"), 1, resolve);
    for (Dev d : devices()) {
      // made where the path resolved in the parent, walked without following any symlink
      List<String> c = d.comps;
      int n = c.size();
      String rel = join(c, n);
      if (ctx.newUserNs()) {
        // mknod is refused in a user namespace: bind the host's node onto an empty file (runc).
        mkfile(b, rootfd, "/", c, RESOLVED);
        Step t = openat2(b, rootfd, rel, O_PATH | O_CLOEXEC, RESOLVED).describe("open device mount point " + d.path);
        Step src = b.call(Sys.OPEN_TREE, AT_FDCWD, d.path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)
            .describe("bind-mount device " + d.path + " from the host");
        b.call(Sys.MOVE_MOUNT, src, "", t, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
            .describe("bind-mount device " + d.path + " from the host");
        b.call(Sys.CLOSE, src).describe("close " + d.path);
        b.call(Sys.CLOSE, t).describe("close " + d.path);
        continue;
      }
      mkdirs(b, rootfd, "/", c, n - 1, RESOLVED);
      Step parent = n == 1 ? rootfd : openat2(b, rootfd, join(c, n - 1), O_PATH | O_DIRECTORY | O_CLOEXEC, RESOLVED)
          .describe("open " + display("/", c, n - 1));
      // An existing node is kept (runc ignores EEXIST too).
      b.call(Sys.MKNODAT, parent, c.get(n - 1), d.type | d.mode, encodeDev(d.major, d.minor)).allow(Errno.EEXIST)
          .describe("create device " + d.path);
      if (d.uid != null || d.gid != null) {
        b.call(Sys.FCHOWNAT, parent, c.get(n - 1), d.uid == null ? -1L : d.uid, d.gid == null ? -1L : d.gid, AT_SYMLINK_NOFOLLOW)
            .describe("change owner of device " + d.path);
      }
      if (n > 1) b.call(Sys.CLOSE, parent).describe("close " + display("/", c, n - 1));
    }
    Step dev = openat2(b, rootfd, "dev", O_PATH | O_DIRECTORY | O_CLOEXEC, resolve).describe("open /dev");
    List<String[]> links = new ArrayList<>(List.of(new String[] {"/proc/self/fd", "fd"},
        new String[] {"/proc/self/fd/0", "stdin"}, new String[] {"/proc/self/fd/1", "stdout"},
        new String[] {"/proc/self/fd/2", "stderr"}));
    if (Files.exists(Path.of("/proc/kcore"), LinkOption.NOFOLLOW_LINKS)) links.add(new String[] {"/proc/kcore", "core"});
    for (String[] l : links) {
      b.call(Sys.SYMLINKAT, l[0], dev, l[1]).allow(Errno.EEXIST).describe("create symlink /dev/" + l[1] + " -> " + l[0]);
    }
    // /dev/ptmx -> pts/ptmx so the container's devpts instance (newinstance) is used.
    b.call(Sys.UNLINKAT, dev, "ptmx", 0L).allow(Errno.ENOENT).describe("remove /dev/ptmx");
    b.call(Sys.SYMLINKAT, "pts/ptmx", dev, "ptmx").describe("create symlink /dev/ptmx -> pts/ptmx");
    if (ctx.consolePath() != null) {
      b.call(Sys.MKNODAT, dev, "console", S_IFREG | 0600, 0L).allow(Errno.EEXIST).describe("create /dev/console");
      Step t = openat2(b, dev, "console", O_PATH | O_CLOEXEC, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS).describe("open /dev/console");
      Step src = b.call(Sys.OPEN_TREE, AT_FDCWD, ctx.consolePath(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)
          .describe("bind-mount " + ctx.consolePath() + " to /dev/console");
      b.call(Sys.MOVE_MOUNT, src, "", t, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
          .describe("bind-mount " + ctx.consolePath() + " to /dev/console");
      b.call(Sys.CLOSE, src).describe("close " + ctx.consolePath());
      b.call(Sys.CLOSE, t).describe("close /dev/console");
    }
    b.call(Sys.CLOSE, dev).describe("close /dev");
  }

  /** The procfs mount of this program that holds {@code path}, or null. */
  private Planned procMountFor(String path) {
    return pseudoMountFor(mounts, path, "proc");
  }

  private static Planned pseudoMountFor(List<Planned> mounts, String path, String type) {
    Planned best = null;
    for (Planned m : mounts) {
      if (!m.type.equals(type)) continue;
      if (path.equals(m.target) || path.startsWith(m.target + "/")) {
        if (best == null || m.target.length() >= best.target.length()) best = m;
      }
    }
    return best;
  }

  /**
   * Where a masked/readonly path or sysctl is resolved: beneath the procfs or sysfs instance this
   * program mounted (a symlinked or faked /proc in the rootfs cannot redirect it: CVE-2019-16884,
   * CVE-2019-19921), else beneath the rootfs.
   */
  private record Base(Step fd, String rel, long resolve) {}

  private Base baseFor(String target, Map<Planned, Step> kept) {
    String p = target;
    Planned pm = procMountFor(p);
    if (pm == null) pm = pseudoMountFor(mounts, p, "sysfs");
    if (pm != null && kept.containsKey(pm)) {
      String rel = p.equals(pm.target) ? "" : p.substring(pm.target.length() + 1);
      return new Base(kept.get(pm), rel, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    }
    return new Base(rootfd, join(comps(p), comps(p).size()), RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  }

  private void emitSysctl(ProgramBuilder b, Map<Planned, Step> kept) {
    if (spec.linux() == null || spec.linux().sysctl() == null) return;
    Planned pm = procMountFor("/proc/sys");
    for (Map.Entry<String, String> e : spec.linux().sysctl().entrySet()) {
      String rel = "sys/" + Sysctls.procPath(e.getKey());
      if (!pm.target.equals("/proc")) rel = ("/proc/" + rel).substring(pm.target.length() + 1);
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
  private void emitReadonlyPaths(ProgramBuilder b, Map<Planned, Step> kept) {
    for (Resolved r : readonlyPaths) {
      String path = r.path();
      Base base = baseFor(r.target(), kept);
      Label have = b.label(), end = b.label();
      Step t = openat2(b, base.fd, base.rel, O_PATH | O_CLOEXEC, base.resolve).allow(Errno.ENOENT).jumpIfPositive(have)
          .describe("open read-only path " + path);
      b.call(Sys.GETPID).jumpIfPositive(end).describe("skip missing read-only path " + path);
      b.place(have);
      Step c = b.call(Sys.OPEN_TREE, t, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH)
          .describe("make " + path + " read-only");
      b.call(Sys.MOUNT_SETATTR, c, "", AT_EMPTY_PATH, mountAttr(b, MOUNT_ATTR_RDONLY, 0, 0), MountAttr.SIZE_VER0)
          .describe("make " + path + " read-only");
      b.call(Sys.MOVE_MOUNT, c, "", t, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH).describe("make " + path + " read-only");
      b.call(Sys.CLOSE, c).describe("close " + path);
      b.call(Sys.CLOSE, t).describe("close " + path);
      b.place(end);
    }
  }

  /**
   * maskedPaths: a directory gets an empty read-only tmpfs, anything else the host's /dev/null
   * (opened here, before pivot_root, so the container cannot substitute its own: CVE-2025-31133);
   * a missing path is skipped. The type is learnt in the child: opening with O_DIRECTORY fails
   * with ENOTDIR on a file.
   */
  private void emitMaskedPaths(ProgramBuilder b, Map<Planned, Step> kept) {
    for (Resolved r : maskedPaths) {
      String path = r.path();
      Base base = baseFor(r.target(), kept);
      Label dir = b.label(), file = b.label(), end = b.label();
      Step d = openat2(b, base.fd, base.rel, O_PATH | O_DIRECTORY | O_CLOEXEC, base.resolve)
          .allow(Errno.ENOENT, Errno.ENOTDIR).jumpIfPositive(dir).describe("open masked path " + path);
      Step f = openat2(b, base.fd, base.rel, O_PATH | O_CLOEXEC, base.resolve)
          .allow(Errno.ENOENT).jumpIfPositive(file).describe("open masked path " + path);
      b.call(Sys.GETPID).jumpIfPositive(end).describe("skip missing masked path " + path);

      b.place(dir);
      String what = "mask " + path + " with a read-only tmpfs";
      Step fs = b.call(Sys.FSOPEN, "tmpfs", FSOPEN_CLOEXEC).describe(what);
      b.call(Sys.FSCONFIG, fs, FSCONFIG_SET_STRING, "source", "tmpfs", 0L).describe(what);
      if (selinux && spec.linux().mountLabel() != null && !spec.linux().mountLabel().isEmpty()) {
        b.call(Sys.FSCONFIG, fs, FSCONFIG_SET_STRING, "context", spec.linux().mountLabel(), 0L).describe(what);
      }
      b.call(Sys.FSCONFIG, fs, FSCONFIG_SET_FLAG, "ro", null, 0L).describe(what);
      b.call(Sys.FSCONFIG, fs, FSCONFIG_CMD_CREATE, null, null, 0L).describe(what);
      Step tm = b.call(Sys.FSMOUNT, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY).describe(what);
      b.call(Sys.CLOSE, fs).describe(what);
      b.call(Sys.MOVE_MOUNT, tm, "", d, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH).describe(what);
      b.call(Sys.CLOSE, tm).describe(what);
      b.call(Sys.CLOSE, d).describe("close " + path);
      b.call(Sys.GETPID).jumpIfPositive(end).describe("masked " + path);

      b.place(file);
      what = "mask " + path + " with /dev/null";
      Step n = b.call(Sys.OPEN_TREE, AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC).describe(what);
      b.call(Sys.MOVE_MOUNT, n, "", f, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH).describe(what);
      b.call(Sys.CLOSE, n).describe(what);
      b.call(Sys.CLOSE, f).describe("close " + path);
      b.place(end);
    }
  }

  /**
   * A tmpfs without {@code mode=} over a directory of the rootfs takes that directory's mode,
   * setuid, setgid and sticky bits included (runc #3952: a tmpfs on /tmp stays 1777). Read in
   * the parent, resolved inside the rootfs; skipped when an earlier mount covers the place
   * (what is there in the container is not the rootfs's directory then).
   */
  private MountOptions inheritMode(MountOptions o, String dest, List<Planned> earlier) {
    for (Planned p : earlier) {
      if (p.target.equals("/") || dest.startsWith(p.target + "/") || dest.equals(p.target)) {
        return o;
      }
    }
    int root = -1, dir = -1;
    try {
      root = MountSyscalls.openat2((int) AT_FDCWD, ctx.rootfs().toString(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0,
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

  // ---------------------------------------------------------------- emitting: pivot and finalize

  /** pivot_root (or MS_MOVE + chroot with noPivot), then /dev read-only, root.readonly, rootfsPropagation, umask. */
  public void emitPivot(ProgramBuilder b) {
    emitPivot(b, x -> {});
  }

  /**
   * As {@link #emitPivot(ProgramBuilder)}, with {@code beforeReadonly} emitted right after the
   * pivot, while /dev and / are still writable: /dev/console is bound there (runc sets up the
   * console before its finalizeRootfs makes them read-only).
   */
  public void emitPivot(ProgramBuilder b, java.util.function.Consumer<ProgramBuilder> beforeReadonly) {
    if (!prepared) throw new IllegalStateException("emitPrepare must come first");
    String rootfs = ctx.rootfs().toString();
    if (!ctx.mountNs()) {
      b.call(Sys.CHROOT, rootfs).describe("chroot to " + rootfs);
      b.call(Sys.CHDIR, "/").describe("change directory to /");
      b.call(Sys.UMASK, oldUmask).describe("restore the umask");
      return;
    }
    if (ctx.noPivot()) {
      // The host's procfs and sysfs stay in this mount namespace under a chroot, and the
      // kernel allows mounting a fresh, unmasked procfs while a full one is reachable: detach
      // them first (runc's msMoveRoot; slave first so the unmount cannot reach the host).
      // Deepest first; a mount already gone with its parent is ENOENT/EINVAL.
      List<String> reveal = new ArrayList<>(host.fullProcAndSysfsOutside(ctx.rootfs()));
      reveal.sort(java.util.Comparator.comparingInt(String::length).reversed());
      for (String p : reveal) {
        b.call(Sys.MOUNT, null, p, null, MS_SLAVE | MS_REC, null).allow(Errno.ENOENT, Errno.EINVAL)
            .describe("make " + p + " rslave before hiding it (--no-pivot)");
        b.call(Sys.UMOUNT2, p, MNT_DETACH).allow(Errno.ENOENT, Errno.EINVAL)
            .describe("unmount the host's " + p + " (--no-pivot)");
      }
      b.call(Sys.FCHDIR, rootfd).describe("change directory to " + rootfs);
      b.call(Sys.MOVE_MOUNT, rootfd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH).describe("move the rootfs " + rootfs + " to /");
      b.call(Sys.CHROOT, ".").describe("chroot to " + rootfs);
      b.call(Sys.CHDIR, "/").describe("change directory to /");
    } else {
      // runc's pivot_root(".", "."): the old root ends up on top of the new one, where it is
      // made rslave (so unmounting it cannot propagate to the host) and lazily detached.
      Step old = openat2(b, AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0).describe("open the old root /");
      b.call(Sys.FCHDIR, rootfd).describe("change directory to " + rootfs);
      b.call(Sys.PIVOT_ROOT, ".", ".").describe("pivot_root to " + rootfs);
      b.call(Sys.FCHDIR, old).describe("change directory to the old root");
      b.call(Sys.MOUNT, null, ".", null, MS_SLAVE | MS_REC, null).describe("make the old root rslave");
      b.call(Sys.UMOUNT2, ".", MNT_DETACH).describe("unmount the old root");
      b.call(Sys.CHDIR, "/").describe("change directory to /");
      b.call(Sys.CLOSE, old).describe("close the old root");
    }
    beforeReadonly.accept(b);
    if (devMount != null) {
      b.call(Sys.MOUNT_SETATTR, devMount, "", AT_EMPTY_PATH, mountAttr(b, MOUNT_ATTR_RDONLY, 0, 0), MountAttr.SIZE_VER0)
          .describe("make /dev read-only");
      b.call(Sys.CLOSE, devMount).describe("close the mount fd of /dev");
    }
    if (spec.root() != null && Boolean.TRUE.equals(spec.root().readonly())) {
      b.call(Sys.MOUNT_SETATTR, rootfd, "", AT_EMPTY_PATH, mountAttr(b, MOUNT_ATTR_RDONLY, 0, 0), MountAttr.SIZE_VER0)
          .describe("make the root filesystem read-only");
    }
    long prop = rootPropagation(spec);
    if (prop != 0) {
      // After pivot_root: applied to the container's / and not to the host's mount (runc).
      b.call(Sys.MOUNT, null, "/", null, prop, null).describe("make / " + propName(prop));
    }
    b.call(Sys.CLOSE, rootfd).describe("close the rootfs fd");
    b.call(Sys.UMASK, oldUmask).describe("restore the umask");
  }

  // ---------------------------------------------------------------- paths

  /** Lexically cleans an absolute or relative (spec 1.2: relative to /) container path: {@code /a/./b/../c} is {@code /a/c}. */
  static String clean(String p) {
    return "/" + join(comps(p), comps(p).size());
  }

  static List<String> comps(String p) {
    List<String> l = new ArrayList<>();
    for (String c : p.split("/")) {
      if (c.isEmpty() || c.equals(".")) continue;
      if (c.equals("..")) {
        if (!l.isEmpty()) l.remove(l.size() - 1);
        continue;
      }
      l.add(c);
    }
    return l;
  }

  static String join(List<String> comps, int n) {
    return String.join("/", comps.subList(0, n));
  }

  List<Planned> mounts() {
    return mounts;
  }
}
