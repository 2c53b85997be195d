package io.jrunc.core.container;

import static io.jrunc.core.container.LaunchSupport.*;
import static io.jrunc.core.container.ContainerCgroups.*;
import static io.jrunc.core.container.InitSignals.*;

import io.jrunc.core.api.ContainerException;
import io.jrunc.core.api.ContainerStatus;
import io.jrunc.core.api.InvalidStateException;
import io.jrunc.core.api.SetupException;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.StateStore;
import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.cgroup.CgroupManager;
import java.io.IOException;
import java.util.List;

/** The verbs that act on the cgroup alone: pause, resume, ps, update, stats. */
final class ContainerCgroupVerbs {

  private final Lifecycle lc;
  private final StateStore store;

  ContainerCgroupVerbs(Lifecycle lc) {
    this.lc = lc;
    this.store = lc.store();
  }

  private ContainerRecord load(String id) throws ContainerException {
    return lc.load(id);
  }

  private ContainerStatus status(ContainerRecord r) {
    return lc.status(r);
  }

  void pause(String id) throws ContainerException {
    try (StateStore.Lock lock = store.lock(load(id).id())) {
      ContainerRecord r = load(id);
      ContainerStatus s = status(r);
      if (s != ContainerStatus.RUNNING && s != ContainerStatus.CREATED) {
        throw new InvalidStateException("container not running", s);
      }
      requireCgroup(r).freeze();
    } catch (CgroupException e) {
      throw new SetupException("pause " + id + ": " + e.getMessage(), 0, e);
    } catch (IOException e) {
      throw new SetupException("pause " + id + ": " + e.getMessage(), 0, e);
    }
  }

  void resume(String id) throws ContainerException {
    try (StateStore.Lock lock = store.lock(load(id).id())) {
      ContainerRecord r = load(id);
      ContainerStatus s = status(r);
      if (s != ContainerStatus.PAUSED) throw new InvalidStateException("container not paused", s);
      requireCgroup(r).thaw();
    } catch (CgroupException e) {
      throw new SetupException("resume " + id + ": " + e.getMessage(), 0, e);
    } catch (IOException e) {
      throw new SetupException("resume " + id + ": " + e.getMessage(), 0, e);
    }
  }

  /** The host pids of every process in the container's cgroup. */
  List<Integer> pids(String id) throws ContainerException {
    ContainerRecord r = load(id);
    CgroupManager cg = cgroupOf(r);
    try {
      if (cg != null) return cg.pids();
    } catch (CgroupException e) {
      throw new SetupException("list the processes of " + id + ": " + e.getMessage(), 0, e);
    }
    if (status(r) == ContainerStatus.STOPPED) return List.of();
    return r.ownPidNamespace() ? inPidNamespaceOf(r.pid()) : List.of(r.pid());
  }

  void update(String id, io.jrunc.spec.LinuxResources resources) throws ContainerException {
    try (StateStore.Lock lock = store.lock(load(id).id())) {
      ContainerRecord r = load(id);
      if (status(r) == ContainerStatus.STOPPED) throw new InvalidStateException("container not running", ContainerStatus.STOPPED);
      requireCgroup(r).update(resources);
    } catch (CgroupException e) {
      throw Failures.translate(e);
    } catch (IOException e) {
      throw new SetupException("update " + id + ": " + e.getMessage(), 0, e);
    }
  }

  /** The cgroup statistics, shaped like runc's {@code events --stats} data. */
  io.jrunc.core.api.stats.CgroupStats stats(String id) throws ContainerException {
    ContainerRecord r = load(id);
    if (status(r) == ContainerStatus.STOPPED) throw new InvalidStateException("container not running", ContainerStatus.STOPPED);
    try {
      return requireCgroup(r).stats();
    } catch (CgroupException e) {
      throw new SetupException("stats of " + id + ": " + e.getMessage(), 0, e);
    }
  }

  /** How many processes the OOM killer has killed in the container's cgroup. */
  long oomKills(String id) throws ContainerException {
    try {
      return requireCgroup(load(id)).oomKillCount();
    } catch (CgroupException e) {
      throw new SetupException("oom count of " + id + ": " + e.getMessage(), 0, e);
    }
  }
}
