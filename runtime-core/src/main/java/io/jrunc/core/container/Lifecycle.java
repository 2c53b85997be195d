package io.jrunc.core.container;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.InvalidStateFailure;
import io.jrunc.core.failure.MalformedStateFailure;
import io.jrunc.core.failure.NotFoundFailure;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.failure.Status;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.MalformedRecordException;
import io.jrunc.core.state.StateStore;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.OffCarrier;
import io.jrunc.spec.State;
import io.jrunc.core.security.IdMapper;
import java.io.IOException;
import java.util.List;

/**
 * The verbs and the state machine: create, start, kill, delete, state. Each verb lives in its
 * own class ({@link ContainerCreate}, {@link ContainerStart}, ...); this facade holds what they
 * share (the state store, the rootless flag, loading a record and deriving its status). Each verb
 * takes the container's lock, so concurrent commands on one container serialise. A verb fails
 * with one of the {@link ContainerFailure} kinds and takes the layer's own {@link CreateRequest},
 * {@link ExecRequest}; the API above translates both at its edge, so this package never imports it.
 *
 * <table>
 *   <caption>Which verb is allowed in which status</caption>
 *   <tr><th>status</th><th>start</th><th>kill</th><th>delete</th><th>delete --force</th></tr>
 *   <tr><td>created</td><td>yes</td><td>yes</td><td>yes (init is killed)</td><td>yes</td></tr>
 *   <tr><td>running</td><td>no</td><td>yes</td><td>no</td><td>yes (SIGKILL first)</td></tr>
 *   <tr><td>paused</td><td>no</td><td>yes</td><td>no</td><td>yes</td></tr>
 *   <tr><td>stopped</td><td>no</td><td>no: "container not running"</td><td>yes</td><td>yes</td></tr>
 * </table>
 */
public final class Lifecycle {
  static final String FIFO = "exec.fifo";

  private final StateStore store;
  private final Boolean rootlessFlag;
  /** One thread for every OOM watch of this runtime, started with the first (see OomMonitor). */
  private final io.jrunc.core.cgroup.OomMonitor oomMonitor = new io.jrunc.core.cgroup.OomMonitor();

  /**
   * What create kept of each init it made in this process, for start to learn whether the
   * process's execve worked ({@link ExecWatch}); taken by start, dropped by delete.
   */
  private final java.util.concurrent.ConcurrentHashMap<String, ExecWatch> execWatches =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * init's report pipe (read end) and program, kept from create to start in this process: after
   * the exec fifo's release, EOF says the container's process was exec'd, a report says which
   * step failed and why (an execve's ENOENT for a script whose interpreter is missing, which
   * would otherwise end the container with status 1 and no word).
   */
  record ExecWatch(int fd, int pid, io.jrunc.core.spawn.ChildProgram program) {
    void close() {
      io.jrunc.core.sys.Libc.close(fd);
    }
  }

  void keepExecWatch(String id, ExecWatch w) {
    ExecWatch old = execWatches.put(id, w);
    if (old != null) old.close();
  }

  /** The watch create kept for {@code id} in this process, or null; the caller closes it. */
  ExecWatch takeExecWatch(String id) {
    return execWatches.remove(id);
  }

  public Lifecycle(StateStore store) {
    this(store, null);
  }

  /**
   * @param rootless runc's global {@code --rootless}: TRUE or FALSE, or null for auto (rootless
   *     when the effective uid is not 0); decides whether cgroup permission errors are tolerated
   */
  public Lifecycle(StateStore store, Boolean rootless) {
    this.store = store;
    this.rootlessFlag = rootless;
  }

  /** runc's shouldUseRootlessCgroupManager for {@code --rootless} (no systemd owner lookup here). */
  boolean rootless(boolean systemdCgroup) {
    String flag = rootlessFlag == null ? "auto" : rootlessFlag.toString();
    return IdMapper.rootless(flag, IdMapper.effectiveUid(), IdMapper.inUserNamespace(), systemdCgroup, null);
  }

  public StateStore store() {
    return store;
  }

  /** The result of create: the record, and the caller's ends of piped stdio (or -1). */
  public record Created(ContainerRecord record, int[] callerPipes) {}

  /** A process started in a container: its pid (a child of this JVM) and the caller's pipe ends. */
  public record Executed(int pid, int[] callerPipes) {}

  // ---------------------------------------------------------------- the verbs, one class each

  /**
   * Creates the container. From a virtual thread on a platform thread ({@link OffCarrier}):
   * init's parent-death signal, set until READY, belongs to the thread that clones it, and a
   * virtual thread's carrier ends when left idle for 30 s (a long hook).
   */
  public Created create(String id, CreateRequest opts) throws ContainerFailure {
    // (the lambda only for a virtual caller: the CLI's create links no call site more)
    if (!Thread.currentThread().isVirtual()) return new ContainerCreate(this).create(id, opts);
    return OffCarrier.onPlatformThread(() -> new ContainerCreate(this).create(id, opts));
  }

  /**
   * create's validate and plan stages only, and the init program compiled over stand-in
   * descriptors: nothing is made on the host. Returns a one-line summary of the plan. For the
   * CLI's AOT training run.
   */
  public String plan(String id, CreateRequest opts) throws ContainerFailure {
    return new ContainerCreate(this).plan(id, opts);
  }

  public void start(String id) throws ContainerFailure {
    new ContainerStart(this).start(id);
  }

  public void kill(String id, int signal, boolean all) throws ContainerFailure {
    new ContainerKill(this).kill(id, signal, all);
  }

  public void delete(String id, boolean force) throws ContainerFailure {
    new ContainerDelete(this).delete(id, force);
  }

  /** Runs a process in the container; from a virtual thread on a platform thread, as {@link #create}. */
  public Executed exec(String id, io.jrunc.spec.Process proc, ExecRequest opts)
      throws ContainerFailure {
    if (!Thread.currentThread().isVirtual()) return new ContainerExec(this).exec(id, proc, opts);
    return OffCarrier.onPlatformThread(() -> new ContainerExec(this).exec(id, proc, opts));
  }

  public void pause(String id) throws ContainerFailure {
    new ContainerCgroupVerbs(this).pause(id);
  }

  public void resume(String id) throws ContainerFailure {
    new ContainerCgroupVerbs(this).resume(id);
  }

  /** The host pids of every process in the container's cgroup. */
  public List<Integer> pids(String id) throws ContainerFailure {
    return new ContainerCgroupVerbs(this).pids(id);
  }

  public void update(String id, io.jrunc.spec.LinuxResources resources) throws ContainerFailure {
    new ContainerCgroupVerbs(this).update(id, resources);
  }

  /** The cgroup statistics, shaped like runc's {@code events --stats} data. */
  public io.jrunc.core.api.stats.CgroupStats stats(String id) throws ContainerFailure {
    return new ContainerCgroupVerbs(this).stats(id);
  }

  /** How many processes the OOM killer has killed in the container's cgroup. */
  public long oomKills(String id) throws ContainerFailure {
    return new ContainerCgroupVerbs(this).oomKills(id);
  }

  /**
   * Reports the kernel's OOM notifications for the container's cgroup to {@code listener}, on
   * the runtime's one OOM thread, until the returned watch is closed or the cgroup goes away.
   */
  public io.jrunc.core.cgroup.OomMonitor.Watch watchOom(String id, io.jrunc.core.cgroup.OomMonitor.Listener listener)
      throws ContainerFailure {
    return new ContainerCgroupVerbs(this).watchOom(id, oomMonitor, listener);
  }

  // ---------------------------------------------------------------- load / status / state

  public ContainerRecord load(String id) throws ContainerFailure {
    try {
      StateStore.checkId(id);
    } catch (IllegalArgumentException e) {
      throw new NotFoundFailure(id);
    }
    if (!store.exists(id)) throw new NotFoundFailure(id);
    try {
      ContainerRecord r = store.readRecord(id);
      if (r == null) {
        // no state.json: a create under way, or a delete that took the directory away since it
        // was seen above (it goes in one rename: StateStore.remove)
        if (!store.exists(id)) throw new NotFoundFailure(id);
        throw new InvalidStateFailure("container " + id + " is being created", Status.CREATING);
      }
      return r;
    } catch (MalformedRecordException e) {
      throw new MalformedStateFailure(e.getMessage(), e);
    } catch (IOException e) {
      throw new SetupFailure("read state of " + id + ": " + e.getMessage(), 0, e);
    }
  }

  /** The status now: {@link StatusDerivation}'s rule over /proc, the state directory and the cgroup. */
  public Status status(ContainerRecord r) {
    return StatusDerivation.derive(r, StatusDerivation.host(store));
  }

  /** The OCI state, with runc's extra fields. A container being created reports "creating". */
  public State state(String id) throws ContainerFailure {
    ContainerRecord r;
    try {
      r = load(id);
    } catch (InvalidStateFailure e) {
      if (e.status() == Status.CREATING) {
        return new State("1.3.0", id, "creating", 0, null, null, null, null, null);
      }
      throw e;
    }
    Status s = status(r);
    return new State(r.ociVersion() == null ? "1.3.0" : r.ociVersion(), r.id(), s.text(),
        s == Status.STOPPED ? 0 : r.pid(), r.bundle(), r.annotations(), r.rootfs(), r.created(), r.owner());
  }

  public List<String> ids() throws IOException {
    return store.ids();
  }
}
