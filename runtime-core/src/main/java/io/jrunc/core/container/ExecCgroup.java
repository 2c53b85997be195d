package io.jrunc.core.container;

import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.cgroup.CgroupHost;
import io.jrunc.core.cgroup.CgroupManager;
import io.jrunc.core.cgroup.CgroupMounts;
import io.jrunc.core.cgroup.CgroupPaths;
import io.jrunc.core.cgroup.FsSupport;
import io.jrunc.core.cgroup.Layout;
import io.jrunc.core.cgroup.SubCgroups;
import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.Failures;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.sys.BoundedFile;
import io.jrunc.core.sys.CgroupIo;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.SysException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where an exec'd process joins the container's cgroups: the container's own, or the existing
 * sub-cgroups of {@code --cgroup} ({@link SubCgroups}, checked before anything is started). On
 * v2 with the cgroupfs driver it is cloned straight into the directory (CLONE_INTO_CGROUP:
 * limits and accounting cover its first instruction). On v1 and hybrid with cgroupfs it joins
 * by itself, as create's init ({@link CgroupManager#selfJoin}, {@link CgroupSelfJoin}: "0" to
 * each v1 {@code tasks} file as its first steps, hybrid's unified directory by
 * CLONE_INTO_CGROUP), so no pid is written to {@code cgroup.procs}, whose global rwsem waits for
 * an RCU grace period (measured: 8-17 ms of every exec). Otherwise (systemd, rootless, the
 * {@code --cgroup} sub-cgroups, a paused container) its pid is written while it waits for the
 * release. A pid-namespace fork inherits the cgroups.
 *
 * <p>Neither in a paused container ({@code exec --ignore-paused}): joining by itself, the
 * process would freeze at its first {@code tasks} write on the freezer's hierarchy, before it
 * had joined the others; cloned into a frozen v2 cgroup, it would freeze before its exec of the
 * spawn stub, which the runtime waits for (CLONE_VFORK) while holding the container's lock, the
 * one the resume that would thaw it needs.
 *
 * <p>A container may make its own cgroup an inner node: systemd or a nested runtime inside moves
 * init into a child cgroup and enables controllers in the container cgroup's
 * {@code cgroup.subtree_control}. v2's no-internal-process rule then refuses any process there
 * (EBUSY, for CLONE_INTO_CGROUP as for a {@code cgroup.procs} write), and the exec'd process
 * goes where init is instead ({@link #intoInitsCgroup}), when that is below the container's
 * cgroup: runc does the same (its issue 2356).
 */
final class ExecCgroup implements AutoCloseable {
  private final CgroupManager cg; // null: the container has no cgroup (rootless, not delegated)
  private final Map<String, Path> dirs; // null: the container's own cgroup
  private final int initPid;
  private Path initsDir; // set when the container's v2 cgroup refused the process: init's
  private int fd = -1;
  private CgroupManager.SelfJoin selfJoin; // null: the parent moves the process (join)

  private ExecCgroup(CgroupManager cg, Map<String, Path> dirs, int initPid) {
    this.cg = cg;
    this.dirs = dirs;
    this.initPid = initPid;
  }

  static ExecCgroup open(CgroupManager cg, Map<String, String> sub, String id, boolean paused, int initPid)
      throws ContainerFailure {
    Map<String, Path> dirs = null;
    if (sub != null && !sub.isEmpty()) {
      if (cg == null || cg.paths().isEmpty()) {
        throw new SetupFailure("--cgroup: container " + id + " has no cgroup of its own", 0, null);
      }
      try {
        dirs = SubCgroups.resolve(cg.paths(), sub);
      } catch (CgroupException e) {
        throw Failures.translate(e);
      }
    }
    ExecCgroup c = new ExecCgroup(cg, dirs, initPid);
    Path target = null;
    if (cg != null && !paused) { // (a paused container's process is moved in by its pid: join)
      if (cg.cloneIntoCgroupPath().isPresent()) {
        target = dirs == null ? cg.cloneIntoCgroupPath().get() : dirs.values().iterator().next();
      } else if (dirs == null) {
        c.selfJoin = cg.selfJoin().orElse(null);
        if (c.selfJoin != null) target = c.selfJoin.cloneInto();
      }
    }
    if (target != null) {
      try {
        c.fd = CgroupIo.openDirectory(target.toString());
      } catch (SysException e) {
        throw new SetupFailure("join the cgroup of " + id + ": " + e.getMessage(), e.errno(), e);
      }
    }
    return c;
  }

  /** The v1 {@code tasks} files the process writes itself into first ({@link CgroupSelfJoin}); empty when the parent moves it. */
  java.util.List<Path> selfJoinTasks() {
    return selfJoin == null ? java.util.List.of() : selfJoin.tasks();
  }

  /** The directory fd for {@code clone3(CLONE_INTO_CGROUP)}, or -1 to {@link #join} after the clone. */
  int cloneFd() {
    return fd;
  }

  /** Moves the waiting child in (nothing to do after CLONE_INTO_CGROUP or a self-join). */
  void join(int pid) throws CgroupException {
    if (selfJoin != null || fd >= 0 || cg == null) return;
    if (dirs != null) {
      SubCgroups.addProcess(dirs.values(), pid);
      return;
    }
    try {
      cg.addProcess(pid);
    } catch (CgroupException e) {
      if (!(e.getCause() instanceof SysException x) || x.errno() != Errno.EBUSY || cg.layout() != Layout.V2
          || !intoInitsCgroup()) {
        throw e;
      }
      FsSupport.addProcess(initsDir, pid);
    }
  }

  /**
   * The container's own v2 cgroup refused the process (EBUSY): init's cgroup is used from now on
   * when it lies below the container's (see the class comment); for a clone, {@link #cloneFd()}
   * is then its directory. False (nothing changed) when there is no such cgroup: another
   * --cgroup was asked for, init sits in the container's cgroup itself or outside it, or init
   * is gone.
   */
  boolean intoInitsCgroup() {
    Path own = cg == null || dirs != null || initsDir != null ? null : cg.v2Dir();
    if (own == null) return false;
    Path target;
    try {
      String v2 = CgroupMounts.parseProcCgroup(BoundedFile.readKernelFile(
          Path.of("/proc", Integer.toString(initPid), "cgroup"), BoundedFile.KERNEL_LIMIT)).get("");
      if (v2 == null) return false;
      target = CgroupPaths.v2DirOf(CgroupHost.current().mounts(), v2);
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      return false;
    }
    if (target.equals(own) || !target.startsWith(own)) return false;
    if (fd >= 0) {
      int next;
      try {
        next = CgroupIo.openDirectory(target.toString());
      } catch (SysException e) {
        return false;
      }
      Libc.close(fd);
      fd = next;
    }
    initsDir = target;
    return true;
  }

  @Override
  public void close() {
    Libc.close(fd);
    fd = -1;
  }
}
