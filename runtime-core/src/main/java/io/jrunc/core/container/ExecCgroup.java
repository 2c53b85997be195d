package io.jrunc.core.container;

import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.cgroup.CgroupManager;
import io.jrunc.core.cgroup.SubCgroups;
import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.Failures;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.sys.CgroupIo;
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
 * <p>Not in a paused container: the process would freeze at its first {@code tasks} write on
 * the freezer's hierarchy, before it had joined the others.
 */
final class ExecCgroup implements AutoCloseable {
  private final CgroupManager cg; // null: the container has no cgroup (rootless, not delegated)
  private final Map<String, Path> dirs; // null: the container's own cgroup
  private int fd = -1;
  private CgroupManager.SelfJoin selfJoin; // null: the parent moves the process (join)

  private ExecCgroup(CgroupManager cg, Map<String, Path> dirs) {
    this.cg = cg;
    this.dirs = dirs;
  }

  static ExecCgroup open(CgroupManager cg, Map<String, String> sub, String id, boolean paused) throws ContainerFailure {
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
    ExecCgroup c = new ExecCgroup(cg, dirs);
    Path target = null;
    if (cg != null && cg.cloneIntoCgroupPath().isPresent()) {
      target = dirs == null ? cg.cloneIntoCgroupPath().get() : dirs.values().iterator().next();
    } else if (cg != null && dirs == null && !paused) {
      c.selfJoin = cg.selfJoin().orElse(null);
      if (c.selfJoin != null) target = c.selfJoin.cloneInto();
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
    if (dirs == null) cg.addProcess(pid);
    else SubCgroups.addProcess(dirs.values(), pid);
  }

  @Override
  public void close() {
    Libc.close(fd);
    fd = -1;
  }
}
