package io.jrunc.core.container;

import static io.jrunc.core.process.LaunchSupport.*;
import static io.jrunc.core.container.ContainerCgroups.*;
import static io.jrunc.core.container.InitSignals.*;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.InvalidStateFailure;
import io.jrunc.core.failure.MalformedStateFailure;
import io.jrunc.core.failure.NotFoundFailure;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.failure.Status;
import io.jrunc.core.log.Logs;
import io.jrunc.core.process.HookLauncher;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.ProcStat;
import io.jrunc.core.state.StateStore;
import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.cgroup.CgroupManager;
import io.jrunc.core.cgroup.Signals;
import io.jrunc.core.hooks.HookRunner;
import io.jrunc.spec.Spec;
import io.jrunc.spec.State;
import java.io.IOException;
import java.nio.file.Files;
import org.slf4j.Logger;

/** delete: stopped containers, or any with force; the cgroup and state go, poststop hooks run. */
final class ContainerDelete extends ContainerVerb {
  /** Looked up when a line is written: SLF4J's bootstrap costs ~0.5 ms of every CLI delete. */
  private static Logger log() {
    return Logs.get(Lifecycle.class); // same logger name as before the split
  }

  ContainerDelete(Lifecycle lc) {
    super(lc);
  }

  void delete(String id, boolean force) throws ContainerFailure {
    deleteRecorded(id, force);
    Lifecycle.ExecWatch watch = lc.takeExecWatch(id); // kept by a create here for a start that will not come
    if (watch != null) watch.close();
  }

  private void deleteRecorded(String id, boolean force) throws ContainerFailure {
    // With a state.json (nearly always) the record is read once, under the lock: a read before
    // the lock and another under it parsed it twice (~0.5 ms of a cold delete). Without one (no
    // such container, or a create under way or one that died) the record is read first, as
    // before: a create holds the lock while it works, and force removes what a dead one left
    // without waiting for the lock (as runc removes a directory without state.json).
    boolean recordFirst = !store.hasRecordFile(id);
    if (force && !recordFirst) prepare(9); // its init may still run: the kill is likely (not for one that is not there)
    for (boolean retried = false; ; retried = true) {
      if (recordFirst) {
        try {
          load(id);
        } catch (NotFoundFailure e) {
          if (force) {
            store.removeLeftover(id); // of a delete killed half-way through its removal
            return;
          }
          throw e;
        } catch (MalformedStateFailure e) {
          if (!force) throw e;
          // the record cannot be trusted: find the processes by what can be (ForcedRemoval)
          if (ForcedRemoval.run(store, id)) return;
          // rewritten meanwhile and well-formed now: the ordinary path below
        } catch (InvalidStateFailure e) {
          if (!force) throw e;
          // a create that died half-way left a directory without state: force removes it
          removeState(id);
          return;
        }
      }
      StateStore.Lock lock;
      try {
        lock = store.lock(id);
      } catch (java.nio.file.NoSuchFileException e) {
        if (force) return; // removed meanwhile
        throw new NotFoundFailure(id);
      } catch (IOException e) {
        throw new SetupFailure("delete " + id + ": " + e.getMessage(), 0, e);
      }
      try (lock) {
        ContainerRecord r;
        try {
          r = load(id);
        } catch (NotFoundFailure | MalformedStateFailure | InvalidStateFailure e) {
          if (recordFirst || retried) throw e; // as the read under the lock always did
          lock.close();
          recordFirst = true; // the read before the lock, and what it does with each of these
          continue;
        }
        deleteLocked(id, force, r);
        return;
      }
    }
  }

  private void removeState(String id) throws SetupFailure {
    try {
      store.remove(id);
    } catch (IOException x) {
      throw new SetupFailure("remove state of " + id + ": " + x.getMessage(), 0, x);
    }
  }

  /** The delete itself, under the container's lock, of the record {@code r} read under it. */
  private void deleteLocked(String id, boolean force, ContainerRecord r) throws ContainerFailure {
    try {
      // delete --force of a container with a pid namespace of its own: SIGKILL to init first,
      // before the status, the freezer and the cgroup are read (~1 ms of a cold delete), so the
      // kernel tears the namespace down meanwhile; init's death ends the rest of it (the
      // kernel's zap_pid_ns_processes, which also stops new forks; runc relies on it too). Not
      // when init is this JVM's child (the library's create): whether it is must be asked while
      // it lives, and the path below then reaps it. A paused init dies once thawed, below. (An
      // init that is gone, as after run, is seen in /proc first: ProcessHandle's set-up would
      // cost run's delete ~1 ms for nothing.)
      // (one read of init's stat for both questions: alive, and whose child)
      ProcStat.Sample init = force && r.ownPidNamespace() ? ProcStat.sample(r.pid()) : null;
      boolean early = ProcStat.isAlive(init, r.pidStartTime()) && !isOurChild(init.parent()) && destroyInit(r, 9);
      CgroupManager[] opened = {null};
      Status s = statusKeeping(r, opened);
      if (s == Status.CREATING) {
        if (!force) throw new InvalidStateFailure("cannot delete container " + id + " that is being created", s);
        destroyCgroup(r);
        store.remove(id);
        return;
      }
      if (s == Status.RUNNING || s == Status.PAUSED) {
        if (!force) {
          throw new InvalidStateFailure("cannot delete container " + id + " that is not stopped: " + s.text(), s);
        }
      }
      CgroupManager cg = null;
      boolean awaitInit = false;
      boolean awaitEmpty = false;
      if (s != Status.STOPPED || early) {
        cg = opened[0] != null ? opened[0] : cgroupOf(r);
        // With a cgroup, its destroy() waits for it to empty without an FFM link, as runc does:
        // init has then passed cgroup_exit in do_exit (its memory, files and namespaces are
        // released; it is a zombie microseconds later). Init's pidfd is waited on first only
        // without a cgroup, or when init is this JVM's child (the library's create), to be
        // reaped here. (Asked before the kill: a live process's parent is certain.)
        awaitInit = cg == null || (!early && isOurChild(r));
        try {
          if (cg != null) {
            if (s == Status.PAUSED) cg.thaw();
            // With a pid namespace of its own, init alone is killed (above, or here for the
            // library's child): its death ends every other process of the container, and what
            // else is in the cgroup is not the container's (another container given the same
            // cgroupsPath) and stays, as runc signals a cgroup's processes only for a container
            // without a private pid namespace. Without one, everything in the cgroup: cgroup.kill
            // where there is one (one write), else freeze, read the pids, signal each, thaw.
            awaitEmpty = r.ownPidNamespace();
            if (!awaitEmpty) cg.killAll();
            else if (!early && !destroyInit(r, 9)) signalInit(r, 9); // (gone: "not running", below)
          } else if (!early) {
            signalInit(r, 9);
          }
        } catch (InvalidStateFailure | CgroupException ignored) {
          // exited meanwhile
        }
      }
      // read while the killed processes exit (~2.5 ms in the kernel): destroyCgroup's wait is shorter
      Spec spec = null;
      try {
        spec = store.readConfigIfHooks(r); // null: no hooks (and no Jackson)
      } catch (IOException e) {
        log().warn("read the config of {} for its poststop hooks: {}", id, e.getMessage());
      }
      boolean initGone = true;
      if (awaitInit) initGone = awaitExit(r);
      if (awaitEmpty) {
        try {
          // the cgroup empties ~2 ms after init's SIGKILL; when it does not, another's processes
          // are in it too (or init's exit is slow): init's own exit is then what counts
          if (!Signals.awaitEmpty(cg, 50_000_000L)) initGone = awaitExit(r);
        } catch (CgroupException e) {
          initGone = awaitExit(r); // the removal below reads the cgroup again and says what failed
        }
      }
      // an init that outlives its SIGKILL keeps the container, as runc's delete keeps it ("container
      // init still running"): its record, cgroup and state stay for a delete once it can die
      if (!initGone) throw initSurvived(id, r.pid());
      removeCgroup(r, cg); // cg: the manager just re-opened, the record's (null: re-opened there)
      store.remove(id);
      if (spec != null && spec.hooks() != null) {
        State st = new State(ociVersion(spec), id, "stopped", 0, r.bundle(), r.annotations(), r.rootfs(), r.created(), r.owner());
        HookRunner.runAllLogging("poststop", spec.hooks().poststop(), st, HookLauncher.inRuntime(null));
      }
    } catch (IOException e) {
      throw new SetupFailure("delete " + id + ": " + e.getMessage(), 0, e);
    }
  }

  /** Why delete --force keeps a container whose init did not die of its SIGKILL. */
  static SetupFailure initSurvived(String id, int pid) {
    return new SetupFailure("delete " + id + ": its init " + pid + " did not exit within "
        + InitSignals.EXIT_WAIT_MILLIS / 1000 + " s of SIGKILL (frozen by a freezer cgroup other than the container's, or"
        + " in uninterruptible sleep?): the container is kept; delete it again once that process can exit", 0, null);
  }

  /**
   * {@link StatusDerivation}'s rule over the real host, as {@link #status} derives it, keeping
   * the cgroup manager its freezer question re-opened (in {@code opened[0]}; null when it was not
   * asked): a running or paused container's delete needs that manager next, and a second
   * re-open from the record cost ~0.2-0.3 ms of a cold {@code delete --force}.
   */
  private Status statusKeeping(ContainerRecord r, CgroupManager[] opened) {
    StatusDerivation.Probe host = StatusDerivation.host(store);
    return StatusDerivation.derive(r, new StatusDerivation.Probe() {
      @Override
      public ProcStat.Sample stat(int pid) {
        return host.stat(pid);
      }

      @Override
      public boolean fifoPresent(String cid) {
        return host.fifoPresent(cid);
      }

      @Override
      public boolean frozen(ContainerRecord rec) throws CgroupException {
        CgroupManager cg = cgroupOf(rec); // as host.frozen asks it
        opened[0] = cg;
        return cg != null && cg.isFrozen();
      }
    });
  }

  /**
   * True when init is a child of this JVM (created through the API here): it must be reaped.
   * From /proc (init's parent in its stat, this JVM's pid as /proc/self names it), not the JDK's
   * ProcessHandle, whose class initialisation (a reaper thread pool, ~30 classes) cost a cold
   * {@code delete --force} ~0.8 ms before its SIGKILL.
   */
  private static boolean isOurChild(ContainerRecord r) {
    return isOurChild(ProcStat.parentPid(r.pid()));
  }

  /** True when {@code parent} (init's parent's pid, -1 when init is gone) is this JVM. */
  private static boolean isOurChild(int parent) {
    if (parent <= 0) return false; // gone: nothing to reap
    try {
      return Files.readSymbolicLink(java.nio.file.Path.of("/proc/self")).toString().equals(Integer.toString(parent));
    } catch (IOException e) {
      return false;
    }
  }
}
