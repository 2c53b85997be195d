package io.jrunc.core.rootfs;

import static io.jrunc.core.sys.Mount.*;
import static io.jrunc.core.sys.Open.*;
import static io.jrunc.core.sys.Stat.*;
import static io.jrunc.core.rootfs.RootfsRules.*;
import static io.jrunc.core.rootfs.MountSteps.*;

import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.MountAttr;
import io.jrunc.core.sys.Sys;
import io.jrunc.spec.Mount;
import io.jrunc.spec.Spec;
import java.nio.file.Files;
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
  /**
   * Looked up where a line is written, not kept in a static field: create loads this class on
   * every call, and the first getLogger of a JVM bootstraps SLF4J (~0.7 ms of a cold create).
   */
  static org.slf4j.Logger log() {
    return io.jrunc.core.log.Logs.get(RootfsSetup.class);
  }
  static final long DIR_MODE = 0755;
  static final List<String> PROC_ALLOWED = List.of("/proc/cpuinfo", "/proc/diskstats",
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

    // Identity, as the maps of emitted mounts need (each Planned is one entry of one plan, its
    // index unique there): the record's generated equals/hashCode bootstrap through
    // ObjectMethods and spin ~9 LambdaForms on a cold create.
    @Override
    public boolean equals(Object o) {
      return this == o;
    }

    @Override
    public int hashCode() {
      return index;
    }
  }

  /**
   * A device node to create (defaults first, as runc): {@code path} as configured (and the host
   * node bound in a user namespace), {@code comps} where it is made, resolved in the rootfs.
   */
  record Dev(String path, long type, long major, long minor, long mode, Long uid, Long gid, List<String> comps) {}

  /** A masked or read-only path as configured, and as resolved in the container's tree. */
  record Resolved(String path, String target) {}

  final RootfsContext ctx;
  final Spec spec;
  final HostMounts host;
  final List<Planned> mounts;
  final boolean selinux;
  /** The container's tree as the planned mounts make it; every destination is resolved in it. */
  final RootfsView view;
  final List<Dev> devices;
  final List<Resolved> readonlyPaths, maskedPaths;

  // state carried from emitPrepare to emitPivot
  Step rootfd;
  Step oldUmask;
  Step devMount;
  boolean prepared;

  private RootfsSetup(RootfsContext ctx, HostMounts host, boolean selinux) {
    this.ctx = ctx;
    this.spec = ctx.spec();
    this.host = host;
    this.selinux = selinux;
    this.view = new RootfsView(ctx.rootfs());
    try {
      this.mounts = MountPlanner.planMounts(this);
      this.devices = ctx.mountNs() && needsSetupDev() ? MountPlanner.planDevices(this) : List.of();
      this.readonlyPaths = MountPlanner.resolvePaths(this, "linux.readonlyPaths", spec.linux() == null ? null : spec.linux().readonlyPaths());
      this.maskedPaths = MountPlanner.resolvePaths(this, "linux.maskedPaths", spec.linux() == null ? null : spec.linux().maskedPaths());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Whether a planned mount or masked path lies at or above one of {@code resolved} (container
   * paths resolved in the image alone): a lookup that resolved only paths none covers found in
   * the image what the container will find.
   */
  public boolean covers(List<String> resolved) {
    for (String p : resolved) {
      for (Planned m : mounts) if (ContainerTree.atOrBelow(p, m.target())) return true;
      for (Resolved m : maskedPaths) if (ContainerTree.atOrBelow(p, m.target())) return true;
    }
    return false;
  }

  /**
   * The planned tree as the container's process will see it (mounts, masked paths), for the
   * executable's and HOME's lookups. Only read: safe on another thread once planning is done.
   */
  public ContainerTree tree() {
    List<String> masked = new ArrayList<>(maskedPaths.size());
    for (Resolved m : maskedPaths) masked.add(m.target());
    return new ContainerTree(view, masked);
  }

  /**
   * Checks what can be checked without the host: sysctl keys, mount options and destinations,
   * devices, masked/readonly paths, rootfsPropagation. Throws {@link RootfsConfigException}.
   */
  public static void validate(Spec spec) {
    RootfsRules.check(spec);
  }

  /** Validates against the host and plans. Reads /proc/self/mountinfo for cgroup mounts. */
  public static RootfsSetup plan(RootfsContext ctx) {
    validate(ctx.spec());
    return new RootfsSetup(ctx, HostMounts.read(), SelinuxFs.MOUNTED);
  }

  /** Whether selinuxfs is mounted: fixed at boot, looked up once per JVM (not per container). */
  private static final class SelinuxFs {
    static final boolean MOUNTED = Files.exists(Path.of("/sys/fs/selinux/enforce"));
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

  /**
   * The checks on where a mount lands, made on {@code target}, its destination as resolved in
   * the rootfs ({@link RootfsView}), never on the configured string (CVE-2019-16884 class).
   * runc's checkProcMount, in its words: nothing but a procfs on /proc, and inside /proc only
   * the files lxcfs emulates; procfs and sysfs on an ordinary directory, not through a symlink.
   */
  void checkTarget(String where, String type, String dest, String target, String source) {
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

  /** The host path of a resolved container path, for messages (runc names the host path). */
  String hostPath(String target) {
    return target.equals("/") ? ctx.rootfs().toString() : ctx.rootfs() + target;
  }

  /** {@code path} resolved in the tree as planned so far; a symlink loop is a config error of {@code where}. */
  String resolve(String where, String path) {
    try {
      return view.resolve(path);
    } catch (IOException e) {
      throw new RootfsConfigException(where + ": resolve " + clean(path) + " in the rootfs " + ctx.rootfs() + ": "
          + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- planning

  final List<Integer> parentFds = new ArrayList<>();

  /**
   * Closes the parent's copies of the detached mounts planned for the child (id-mapped binds).
   * Call after clone: the child has inherited them.
   */
  @Override
  public void close() {
    for (int fd : parentFds) io.jrunc.core.sys.Libc.close(fd);
    parentFds.clear();
  }

  /** True unless /dev is bind-mounted from the host (runc's needsSetupDev). */
  boolean needsSetupDev() {
    for (Planned m : mounts) if (m.dest.equals("/dev") && m.type.equals("bind")) return false;
    return true;
  }

  /** The devices the child makes (none when /dev is bound from the host or there is no mount namespace). */
  List<Dev> devices() {
    return devices;
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
    // the config asks otherwise. pivot_root refuses a rootfs whose parent mount is shared: unless
    // / was made rslave or rprivate (which reach that mount too), the parent is made private, as
    // runc's rootfsParentMountPrivate does (a rootfs under a shared mount with "private" or
    // "slave", not recursive, failed with EINVAL).
    long prop = rootPropagation(spec);
    long first = prop == 0 ? MS_SLAVE | MS_REC : prop;
    // the kernel refuses to clone an unbindable mount (open_tree, and mount --bind, give
    // EINVAL): private until the rootfs is bound, unbindable once / is the container's
    if ((first & MS_UNBINDABLE) != 0) first = MS_PRIVATE | (first & MS_REC);
    b.call(Sys.MOUNT, null, "/", null, first, null).describe("make / ", propName(first), " in the container's mount namespace");
    if ((first & MS_SHARED) != 0 || (first & MS_REC) == 0) {
      String parent = host.mountPointOf(ctx.rootfs());
      b.call(Sys.MOUNT, null, parent, null, MS_PRIVATE, null).describe("make ", parent, " (the mount holding the rootfs) private");
    }
    // 2. The rootfs bound onto itself: a mount point for pivot_root, and the fd every later
    // path is resolved against.
    Step tree = b.call(Sys.OPEN_TREE, AT_FDCWD, rootfs, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)
        .describe("bind-mount the rootfs ", rootfs, " onto itself");
    b.call(Sys.MOVE_MOUNT, tree, "", AT_FDCWD, rootfs, MOVE_MOUNT_F_EMPTY_PATH)
        .describe("bind-mount the rootfs ", rootfs, " onto itself");
    rootfd = tree;

    Map<Planned, Step> kept = new LinkedHashMap<>();
    for (Planned m : mounts) emitMount(b, m, kept);

    if (needsSetupDev()) PseudoFsSteps.emitDev(this, b);

    PseudoFsSteps.emitSysctl(this, b, kept);
    PseudoFsSteps.emitReadonlyPaths(this, b, kept);
    PseudoFsSteps.emitMaskedPaths(this, b, kept);
    for (Map.Entry<Planned, Step> e : kept.entrySet()) {
      if (e.getValue() != devMount) b.call(Sys.CLOSE, e.getValue()).describe("close the mount fd of ", e.getKey().dest);
    }
  }

  /**
   * Creates the directories {@code comps[0..upto)} beneath {@code base} (one mkdirat per
   * component, EEXIST allowed; each parent re-resolved from {@code base} with {@code resolve}).
   */
  void mkdirs(ProgramBuilder b, Step base, String baseDisplay, List<String> comps, int upto, long resolve) {
    for (int i = 0; i < upto; i++) {
      Step parent = base;
      if (i > 0) {
        parent = openat2(b, base, join(comps, i), O_PATH | O_DIRECTORY | O_CLOEXEC, resolve)
            .describe("open ", display(baseDisplay, comps, i));
      }
      b.call(Sys.MKDIRAT, parent, comps.get(i), DIR_MODE).allow(Errno.EEXIST)
          .describe("create mount point ", display(baseDisplay, comps, i + 1));
      if (i > 0) b.call(Sys.CLOSE, parent).describe("close ", display(baseDisplay, comps, i));
    }
  }

  /** Creates an empty regular file {@code comps} (after its parents) beneath {@code base}, if nothing is there. */
  void mkfile(ProgramBuilder b, Step base, String baseDisplay, List<String> comps, long resolve) {
    int n = comps.size();
    mkdirs(b, base, baseDisplay, comps, n - 1, resolve);
    Step parent = n == 1 ? base : openat2(b, base, join(comps, n - 1), O_PATH | O_DIRECTORY | O_CLOEXEC, resolve)
        .describe("open ", display(baseDisplay, comps, n - 1));
    b.call(Sys.MKNODAT, parent, comps.get(n - 1), S_IFREG | 0644, 0L).allow(Errno.EEXIST)
        .describe("create mount point ", display(baseDisplay, comps, n));
    if (n > 1) b.call(Sys.CLOSE, parent).describe("close ", display(baseDisplay, comps, n - 1));
  }

  void emitMount(ProgramBuilder b, Planned m, Map<Planned, Step> kept) {
    String what = m.what();
    MountOptions o = m.opts;
    if (o.has(MS_REMOUNT)) {
      Step t = openat2(b, rootfd, join(m.comps, m.comps.size()), O_PATH | O_CLOEXEC, m.resolve)
          .describe("open mount point ", m.target);
      // mount(2)'s remount replaces all per-mount flags; mount_setattr does the same when every
      // settable attribute is in attr_clr.
      long clr = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME
          | MOUNT_ATTR_NODIRATIME;
      b.call(Sys.MOUNT_SETATTR, t, "", AT_EMPTY_PATH, mountAttr(b, o.attrSet(), clr, 0), MountAttr.SIZE_VER0)
          .describe("remount ", m.dest);
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
      b.call(Sys.CLOSE, t).describe("close ", m.dest);
      return;
    }
    if (m.type.equals("cgroup") && !host.cgroup2Unified()) {
      PseudoFsSteps.emitCgroupV1(this, b, m, kept);
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
    b.call(Sys.CLOSE, target).describe("close mount point ", m.target);
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
      b.call(Sys.CLOSE, mnt).describe("close the mount fd of ", m.dest);
    }
  }

  /** A detached mount for {@code m}: a clone of the bind source, or a new filesystem instance. */
  Object detachedMount(ProgramBuilder b, Planned m, String what, long attrSet, boolean deferRo) {
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
          && labelled(fstype) && !o.dataStartsWith("context=")) {
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

  void emitPropagation(ProgramBuilder b, Object mnt, MountOptions o, String what) {
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
  Step mountTarget(ProgramBuilder b, Step base, String baseDisplay, List<String> comps, boolean dir, long resolve,
      String why) {
    if (dir) mkdirs(b, base, baseDisplay, comps, comps.size(), resolve);
    else mkfile(b, base, baseDisplay, comps, resolve);
    return openat2(b, base, join(comps, comps.size()), O_PATH | O_CLOEXEC | (dir ? O_DIRECTORY : 0), resolve)
        .describe("open mount point " + display(baseDisplay, comps, comps.size()) + why);
  }

  /**
   * Where a masked/readonly path or sysctl is resolved: beneath the procfs or sysfs instance this
   * program mounted (a symlinked or faked /proc in the rootfs cannot redirect it: CVE-2019-16884,
   * CVE-2019-19921), else beneath the rootfs.
   */
  record Base(Step fd, String rel, long resolve) {}

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
      b.call(Sys.CHROOT, rootfs).describe("chroot to ", rootfs);
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
            .describe("make ", p, " rslave before hiding it (--no-pivot)");
        b.call(Sys.UMOUNT2, p, MNT_DETACH).allow(Errno.ENOENT, Errno.EINVAL)
            .describe("unmount the host's ", p, " (--no-pivot)");
      }
      b.call(Sys.FCHDIR, rootfd).describe("change directory to ", rootfs);
      b.call(Sys.MOVE_MOUNT, rootfd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH).describe("move the rootfs ", rootfs, " to /");
      b.call(Sys.CHROOT, ".").describe("chroot to ", rootfs);
      b.call(Sys.CHDIR, "/").describe("change directory to /");
    } else {
      // runc's pivot_root(".", "."): the old root ends up on top of the new one, where it is
      // made rslave (so unmounting it cannot propagate to the host) and lazily detached.
      Step old = openat2(b, AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0).describe("open the old root /");
      b.call(Sys.FCHDIR, rootfd).describe("change directory to ", rootfs);
      b.call(Sys.PIVOT_ROOT, ".", ".").describe("pivot_root to ", rootfs);
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
      b.call(Sys.MOUNT, null, "/", null, prop, null).describe("make / ", propName(prop));
    }
    b.call(Sys.CLOSE, rootfd).describe("close the rootfs fd");
    b.call(Sys.UMASK, oldUmask).describe("restore the umask");
  }

  // ---------------------------------------------------------------- paths

  List<Planned> mounts() {
    return mounts;
  }
}
