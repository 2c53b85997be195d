package io.jrunc.core.container;

import static io.jrunc.core.process.LaunchSupport.*;
import static io.jrunc.core.container.ContainerCgroups.*;
import static io.jrunc.core.container.InitSignals.*;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.InvalidStateFailure;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.failure.Status;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.StateStore;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Signal;
import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.cgroup.CgroupManager;
import java.io.IOException;

/** kill: a signal to init, or to every process of the cgroup. */
final class ContainerKill extends ContainerVerb {

  ContainerKill(Lifecycle lc) {
    super(lc);
  }

  void kill(String id, int signal, boolean all) throws ContainerFailure {
    // The record is read once, under the lock, when its file is there (the usual case). Else it
    // is read before the lock is taken, which fails as it did (no such container, one being
    // created) without waiting for the lock; if the file appeared meanwhile, it is read again.
    if (!store.hasRecordFile(id)) load(id);
    prepare(signal); // (not for a container that is not there: load threw)
    try (StateStore.Lock lock = lock(id)) {
      ContainerRecord r = load(id);
      // paused or running is all the same to kill (see Lifecycle's table): the freezer is not
      // read, and the cgroup is re-opened only when a branch below signals through it (--all, or
      // no pid namespace of its own), not for the usual signal to init. Except for SIGKILL on a
      // v1 freezer: a frozen task keeps it pending until it is thawed (a v2 frozen task dies of
      // it), so a paused container is thawed after it, as runc does; a frozen init shows as 'D'.
      boolean thawAfter = signal == Signal.SIGKILL && StatusDerivation.v1Freezer(r);
      Status s = StatusDerivation.derive(r, StatusDerivation.host(store),
          thawAfter ? StatusDerivation.Freezer.IF_INIT_MAY_BE_FROZEN : StatusDerivation.Freezer.SKIP);
      CgroupManager cg = all || !r.ownPidNamespace() ? cgroupOf(r) : null;
      // runc 1.2: without a pid namespace of its own, SIGKILL goes to every process in the
      // cgroup even when init is gone (the others would outlive it; with a pid namespace the
      // kernel ends them with init)
      boolean killAll = signal == 9 && !r.ownPidNamespace() && cg != null;
      if (s == Status.CREATING || s == Status.STOPPED && !killAll) {
        if (s == Status.STOPPED && all) return; // runc: --all is no error on a stopped container
        throw new InvalidStateFailure("container not running", s);
      }
      if (cg != null && (all || !r.ownPidNamespace())) {
        try {
          cg.kill(signal);
        } catch (CgroupException e) {
          throw new SetupFailure("signal the processes of " + id + ": " + e.getMessage(), 0, e);
        }
      } else {
        signalInit(r, signal);
        if (cg == null && all && r.ownPidNamespace()) {
          // no cgroup (rootless, not delegated): the rest of its pid namespace, as ps lists it
          for (int pid : inPidNamespaceOf(r.pid())) if (pid != r.pid()) Libc.kill(pid, signal);
        }
      }
      if (thawAfter && s == Status.PAUSED) thaw(id, cg != null ? cg : cgroupOf(r));
    } catch (IOException e) {
      throw new SetupFailure("kill " + id + ": " + e.getMessage(), 0, e);
    }
  }

  private static void thaw(String id, CgroupManager cg) throws ContainerFailure {
    try {
      if (cg != null) cg.thaw();
    } catch (CgroupException e) {
      throw new SetupFailure("thaw " + id + " after SIGKILL: " + e.getMessage(), 0, e);
    }
  }
}
