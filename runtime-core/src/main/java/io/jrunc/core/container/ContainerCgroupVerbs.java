package io.jrunc.core.container;

import static io.jrunc.core.process.LaunchSupport.*;
import static io.jrunc.core.container.ContainerCgroups.*;
import static io.jrunc.core.container.InitSignals.*;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.Failures;
import io.jrunc.core.failure.InvalidStateFailure;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.failure.Status;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.StateStore;
import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.cgroup.CgroupManager;
import java.io.IOException;
import java.util.List;

/** The verbs that act on the cgroup alone: pause, resume, ps, update, stats. */
final class ContainerCgroupVerbs extends ContainerVerb {

  ContainerCgroupVerbs(Lifecycle lc) {
    super(lc);
  }

  void pause(String id) throws ContainerFailure {
    try (StateStore.Lock lock = lock(load(id).id())) {
      ContainerRecord r = load(id);
      Status s = status(r);
      if (s != Status.RUNNING && s != Status.CREATED) {
        throw new InvalidStateFailure("container not running", s);
      }
      requireCgroup(r).freeze();
    } catch (CgroupException e) {
      throw new SetupFailure("pause " + id + ": " + e.getMessage(), 0, e);
    } catch (IOException e) {
      throw new SetupFailure("pause " + id + ": " + e.getMessage(), 0, e);
    }
  }

  void resume(String id) throws ContainerFailure {
    try (StateStore.Lock lock = lock(load(id).id())) {
      ContainerRecord r = load(id);
      Status s = status(r);
      if (s != Status.PAUSED) throw new InvalidStateFailure("container not paused", s);
      requireCgroup(r).thaw();
    } catch (CgroupException e) {
      throw new SetupFailure("resume " + id + ": " + e.getMessage(), 0, e);
    } catch (IOException e) {
      throw new SetupFailure("resume " + id + ": " + e.getMessage(), 0, e);
    }
  }

  /** The host pids of every process in the container's cgroup. */
  List<Integer> pids(String id) throws ContainerFailure {
    ContainerRecord r = load(id);
    CgroupManager cg = cgroupOf(r);
    try {
      if (cg != null) return cg.pids();
    } catch (CgroupException e) {
      throw new SetupFailure("list the processes of " + id + ": " + e.getMessage(), 0, e);
    }
    if (status(r) == Status.STOPPED) return List.of();
    return r.ownPidNamespace() ? inPidNamespaceOf(r.pid()) : List.of(r.pid());
  }

  void update(String id, io.jrunc.spec.LinuxResources resources) throws ContainerFailure {
    try (StateStore.Lock lock = lock(load(id).id())) {
      ContainerRecord r = load(id);
      if (status(r) == Status.STOPPED) throw new InvalidStateFailure("container not running", Status.STOPPED);
      requireCgroup(r).update(resources);
    } catch (CgroupException e) {
      throw Failures.translate(e);
    } catch (IOException e) {
      throw new SetupFailure("update " + id + ": " + e.getMessage(), 0, e);
    }
  }

  /** The cgroup statistics, shaped like runc's {@code events --stats} data. */
  io.jrunc.core.api.stats.CgroupStats stats(String id) throws ContainerFailure {
    ContainerRecord r = load(id);
    if (status(r) == Status.STOPPED) throw new InvalidStateFailure("container not running", Status.STOPPED);
    try {
      return requireCgroup(r).stats();
    } catch (CgroupException e) {
      throw new SetupFailure("stats of " + id + ": " + e.getMessage(), 0, e);
    }
  }

  /** How many processes the OOM killer has killed in the container's cgroup. */
  long oomKills(String id) throws ContainerFailure {
    try {
      return requireCgroup(load(id)).oomKillCount();
    } catch (CgroupException e) {
      throw new SetupFailure("oom count of " + id + ": " + e.getMessage(), 0, e);
    }
  }

  io.jrunc.core.cgroup.OomMonitor.Watch watchOom(String id, io.jrunc.core.cgroup.OomMonitor monitor,
      io.jrunc.core.cgroup.OomMonitor.Listener listener) throws ContainerFailure {
    ContainerRecord r = load(id);
    if (status(r) == Status.STOPPED) throw new InvalidStateFailure("container not running", Status.STOPPED);
    try {
      return monitor.watch(requireCgroup(r).paths(), id, listener);
    } catch (CgroupException e) {
      throw new SetupFailure(e.getMessage(), 0, e);
    }
  }
}
