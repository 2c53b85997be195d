package io.jrunc.core.container;

import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.Sys;
import java.nio.file.Path;
import java.util.List;

/**
 * A new process joins its v1 cgroups by itself ({@link io.jrunc.core.cgroup.CgroupManager#selfJoin}):
 * init of a create, and the process of an exec (its first child: a pid-namespace fork inherits
 * the cgroups). The first steps of its program, before it waits for the parent's release, write
 * "0" (the calling thread) to each hierarchy's {@code tasks} file. The stub is single-threaded, so its
 * one thread is the whole process; the kernel moves it without the global rwsem that a
 * pid written to {@code cgroup.procs} takes (an RCU grace period, 3-30 ms here).
 *
 * <p>The child is still in the host's mount view (its mount namespace is a copy, nothing is
 * mounted yet) and has every capability of the runtime (no new user namespace: the caller
 * checks), so it reaches and may write what the parent could. Every report after the release
 * comes after these steps: the parent sees init in its cgroups before hooks and READY, as it
 * did when it wrote the pid itself. An exec'd process starts in the runtime's namespaces too
 * (it joins the container's, user first and mount last, after these steps).
 */
final class CgroupSelfJoin {
  private CgroupSelfJoin() {}

  private static final byte[] SELF = {'0'};

  /** The join steps of {@code who} ("the container's init", "the exec'd process"), in {@code tasks}' order. */
  static void emit(ProgramBuilder b, List<Path> tasks, String who) {
    for (Path t : tasks) {
      String what = "add " + who + " to cgroup " + t.getParent();
      Step fd = b.call(Sys.OPENAT, (long) Open.AT_FDCWD, t.toString(), (long) (Open.O_WRONLY | Open.O_CLOEXEC), 0L)
          .describe(what + ": open " + t);
      b.call(Sys.WRITE, fd, b.bytes(SELF), 1L).atLeast(1).describe(what + ": write \"0\" to " + t);
      b.call(Sys.CLOSE, fd).describe(what + ": close " + t);
    }
  }
}
