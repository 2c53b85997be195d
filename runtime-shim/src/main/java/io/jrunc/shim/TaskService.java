package io.jrunc.shim;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import io.jrunc.core.api.Container;
import io.jrunc.core.api.ContainerException;
import io.jrunc.core.api.ContainerExistsException;
import io.jrunc.core.api.ContainerNotFoundException;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.CreateOptions;
import io.jrunc.core.api.ExecOptions;
import io.jrunc.core.api.InvalidConfigException;
import io.jrunc.core.api.InvalidStateException;
import io.jrunc.core.api.SetupException;
import io.jrunc.core.api.host.ChildReaper;
import io.jrunc.core.api.host.RootfsMounts;
import io.jrunc.shim.proto.CheckpointTaskRequest;
import io.jrunc.shim.proto.CloseIORequest;
import io.jrunc.shim.proto.ConnectRequest;
import io.jrunc.shim.proto.ConnectResponse;
import io.jrunc.shim.proto.CreateTaskRequest;
import io.jrunc.shim.proto.CreateTaskResponse;
import io.jrunc.shim.proto.DeleteRequest;
import io.jrunc.shim.proto.DeleteResponse;
import io.jrunc.shim.proto.ExecProcessRequest;
import io.jrunc.shim.proto.KillRequest;
import io.jrunc.shim.proto.PauseRequest;
import io.jrunc.shim.proto.PidsRequest;
import io.jrunc.shim.proto.PidsResponse;
import io.jrunc.shim.proto.ProcessDetails;
import io.jrunc.shim.proto.ProcessInfo;
import io.jrunc.shim.proto.ResizePtyRequest;
import io.jrunc.shim.proto.ResumeRequest;
import io.jrunc.shim.proto.ShutdownRequest;
import io.jrunc.shim.proto.StartRequest;
import io.jrunc.shim.proto.StartResponse;
import io.jrunc.shim.proto.StateRequest;
import io.jrunc.shim.proto.StateResponse;
import io.jrunc.shim.proto.StatsRequest;
import io.jrunc.shim.proto.StatsResponse;
import io.jrunc.shim.proto.Status;
import io.jrunc.shim.proto.TaskCreate;
import io.jrunc.shim.proto.TaskDelete;
import io.jrunc.shim.proto.TaskExecAdded;
import io.jrunc.shim.proto.TaskExecStarted;
import io.jrunc.shim.proto.TaskExit;
import io.jrunc.shim.proto.TaskIO;
import io.jrunc.shim.proto.TaskOOM;
import io.jrunc.shim.proto.TaskPaused;
import io.jrunc.shim.proto.TaskResumed;
import io.jrunc.shim.proto.TaskStart;
import io.jrunc.shim.proto.UpdateTaskRequest;
import io.jrunc.shim.proto.WaitRequest;
import io.jrunc.shim.proto.WaitResponse;
import io.jrunc.shim.ttrpc.RpcException;
import io.jrunc.shim.ttrpc.TtrpcServer;
import io.jrunc.spec.Json;
import io.jrunc.spec.LinuxResources;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.logging.Logger;

/**
 * containerd's {@code containerd.task.v2.Task} service over one warm {@link ContainerRuntime}:
 * every call is a method call on jrunc's API in this JVM.
 *
 * <p>Exec processes: containerd's Exec only registers a process, Start runs it (jrunc's
 * {@code exec} starts at once). Exits come from the {@link ChildReaper}; the status is kept for
 * Wait/State/Delete, and TaskExit is published after the process's io is closed, so containerd
 * has all the output when it sees the exit.
 */
final class TaskService {
  static final String SERVICE = "containerd.task.v2.Task";
  private static final Logger LOG = Logger.getLogger(TaskService.class.getName());

  private final ContainerRuntime runtime;
  private final ChildReaper reaper;
  private final EventPublisher events;
  private final Runnable onShutdown;
  private final Map<String, ShimTask> tasks = new ConcurrentHashMap<>();
  private final String namespace;
  private final boolean stayWarm = "namespace".equals(System.getenv("JRUNC_SHIM_GROUP"));

  TaskService(ContainerRuntime runtime, ChildReaper reaper, EventPublisher events, Runnable onShutdown) {
    this.runtime = runtime;
    this.reaper = reaper;
    this.events = events;
    this.namespace = events.namespace();
    this.onShutdown = onShutdown;
  }

  void register(TtrpcServer s) {
    s.register(SERVICE, "Create", p -> create(CreateTaskRequest.parseFrom(p)).toByteArray());
    s.register(SERVICE, "Start", p -> start(StartRequest.parseFrom(p)).toByteArray());
    s.register(SERVICE, "State", p -> state(StateRequest.parseFrom(p)).toByteArray());
    s.register(SERVICE, "Kill", p -> kill(KillRequest.parseFrom(p)).toByteArray());
    s.registerParking(SERVICE, "Wait", p -> waitFor(WaitRequest.parseFrom(p)).toByteArray());
    s.register(SERVICE, "Delete", p -> delete(DeleteRequest.parseFrom(p)).toByteArray());
    s.register(SERVICE, "Pids", p -> pids(PidsRequest.parseFrom(p)).toByteArray());
    s.register(SERVICE, "Pause", p -> pause(PauseRequest.parseFrom(p)).toByteArray());
    s.register(SERVICE, "Resume", p -> resume(ResumeRequest.parseFrom(p)).toByteArray());
    s.register(SERVICE, "Exec", p -> exec(ExecProcessRequest.parseFrom(p)).toByteArray());
    s.register(SERVICE, "ResizePty", p -> resizePty(ResizePtyRequest.parseFrom(p)).toByteArray());
    s.register(SERVICE, "CloseIO", p -> closeIo(CloseIORequest.parseFrom(p)).toByteArray());
    s.register(SERVICE, "Update", p -> update(UpdateTaskRequest.parseFrom(p)).toByteArray());
    s.register(SERVICE, "Stats", p -> stats(StatsRequest.parseFrom(p)).toByteArray());
    s.register(SERVICE, "Connect", p -> connect(ConnectRequest.parseFrom(p)).toByteArray());
    s.register(SERVICE, "Shutdown", p -> shutdown(ShutdownRequest.parseFrom(p)).toByteArray());
    s.register(SERVICE, "Checkpoint", p -> {
      CheckpointTaskRequest r = CheckpointTaskRequest.parseFrom(p);
      throw new RpcException(RpcException.UNIMPLEMENTED,
          "checkpoint " + r.getId() + ": not supported by jrunc (no CRIU integration)");
    });
  }

  // ------------------------------------------------------------------ lifecycle

  CreateTaskResponse create(CreateTaskRequest req) throws RpcException {
    String id = req.getId();
    if (!req.getCheckpoint().isEmpty()) {
      throw new RpcException(RpcException.UNIMPLEMENTED, "create " + id + " from a checkpoint: not supported by jrunc");
    }
    if (tasks.containsKey(id)) throw new RpcException(RpcException.ALREADY_EXISTS, "task " + id + ": already exists");
    Path bundle = Path.of(req.getBundle());
    Path rootfs = bundle.resolve("rootfs");
    TaskOptions options = TaskOptions.of(req.hasOptions() ? req.getOptions() : null, "create " + id);
    long t0 = System.nanoTime();
    boolean mounted = false;
    if (req.getRootfsCount() > 0) {
      try {
        RootfsMounts.mountAll(layers(req.getRootfsList()), rootfs);
        mounted = true;
      } catch (IOException e) {
        throw new RpcException(RpcException.INTERNAL, "create " + id + ": " + e.getMessage(), e);
      }
    }
    ProcessIo io;
    try {
      io = ProcessIo.open(req.getStdin(), req.getStdout(), req.getStderr(), req.getTerminal(), id, namespace);
    } catch (RpcException e) {
      if (mounted) RootfsMounts.unmountAll(rootfs);
      throw e;
    }
    ShimProcess init = new ShimProcess("", io, null);
    ShimTask task = new ShimTask(id, bundle, init, mounted);
    try {
      CreateOptions o = options.applyTo(CreateOptions.bundle(bundle), bundle).withStdio(io.stdio()).withDetach(true);
      if (io.consoleFd() >= 0) o = o.withConsoleFd(io.consoleFd());
      long t1 = System.nanoTime();
      Container c = runtime.create(id, o);
      long t2 = System.nanoTime();
      LOG.fine(() -> "create " + id + ": mounts and io " + (t1 - t0) / 1000 + " us, jrunc create " + (t2 - t1) / 1000 + " us");
      init.pid = c.pid();
      tasks.put(id, task);
      watchOom(task);
      reaper.watch(init.pid, st -> exited(task, init, st));
      io.started();
    } catch (ContainerException | IOException | RuntimeException e) {
      tasks.remove(id);
      if (task.oomWatch != null) task.oomWatch.close();
      io.close();
      if (init.pid > 0) {
        try {
          runtime.delete(id, true);
        } catch (ContainerException x) {
          e.addSuppressed(x);
        }
      }
      if (mounted) RootfsMounts.unmountAll(rootfs);
      throw failure("create " + id, e);
    }
    events.publish("/tasks/create", TaskCreate.newBuilder()
        .setContainerId(id).setBundle(req.getBundle()).addAllRootfs(req.getRootfsList())
        .setIo(TaskIO.newBuilder().setStdin(req.getStdin()).setStdout(req.getStdout())
            .setStderr(req.getStderr()).setTerminal(req.getTerminal()))
        .setPid(init.pid).build());
    return CreateTaskResponse.newBuilder().setPid(init.pid).build();
  }

  StartResponse start(StartRequest req) throws RpcException {
    ShimTask t = task(req.getId());
    ShimProcess p = process(t, req.getExecId());
    if (p.isInit()) {
      synchronized (p.starting) {
        try {
          runtime.start(t.id);
        } catch (SetupException e) {
          // the process could not be executed: init said why on its stderr (the task's) and
          // exited 1. As with runc's shim, whose runc start succeeded: the task started and
          // exits 1, rather than a failed Start
          if (!e.saidOnStderr()) throw failure("start " + t.id, e);
        } catch (ContainerException e) {
          throw failure("start " + t.id, e);
        }
        synchronized (p) {
          if (p.phase == ShimProcess.Phase.CREATED) p.phase = ShimProcess.Phase.RUNNING;
        }
        events.publish("/tasks/start", TaskStart.newBuilder().setContainerId(t.id).setPid(p.pid).build());
      }
      return StartResponse.newBuilder().setPid(p.pid).build();
    }
    if (p.phase != ShimProcess.Phase.CREATED) {
      throw new RpcException(RpcException.FAILED_PRECONDITION, "exec " + p.execId + " of " + t.id + ": already started");
    }
    try {
      ExecOptions o = ExecOptions.defaults().withStdio(p.io.stdio());
      if (p.io.consoleFd() >= 0) o = o.withConsoleFd(p.io.consoleFd());
      var handle = runtime.exec(t.id, p.spec, o);
      p.handle = handle;
      p.pid = handle.pid();
      p.phase = ShimProcess.Phase.RUNNING;
      reaper.watch(p.pid, st -> exited(t, p, st));
      p.io.started();
    } catch (ContainerException | IOException | RuntimeException e) {
      p.io.close();
      throw failure("exec " + p.execId + " in " + t.id, e);
    }
    events.publish("/tasks/exec-started", TaskExecStarted.newBuilder()
        .setContainerId(t.id).setExecId(p.execId).setPid(p.pid).build());
    return StartResponse.newBuilder().setPid(p.pid).build();
  }

  /** containerd's rootfs mounts as the runtime's host mounts take them. */
  private static List<RootfsMounts.Layer> layers(List<io.jrunc.shim.proto.Mount> mounts) {
    return mounts.stream().map(m -> new RootfsMounts.Layer(m.getType(), m.getSource(), m.getOptionsList())).toList();
  }

  /** The reaper's callback: record the exit, close the io, tell containerd. */
  private void exited(ShimTask t, ShimProcess p, int exitCode) {
    // the kernel's notification may still be on its way when init's exit is reaped (or came
    // before the watch began): count the kills now, while the cgroup is still there, so
    // TaskOOM comes before TaskExit as with runc's shim
    if (p.isInit()) checkOomAtExit(t);
    p.markExited(exitCode);
    if (p.isInit()) {
      // as runc's shim: the execs of a container whose init is gone are killed
      for (ShimProcess e : t.execs.values()) {
        if (e.phase == ShimProcess.Phase.RUNNING && e.handle != null) e.handle.kill(9);
      }
    }
    Thread.ofVirtual().start(() -> {
      p.io.exited();
      synchronized (p.starting) {
        // after a Start under way has published its TaskStart (ShimProcess.starting)
      }
      events.publish("/tasks/exit", TaskExit.newBuilder()
          .setContainerId(t.id).setId(p.isInit() ? t.id : p.execId).setPid(p.pid)
          .setExitStatus(p.exitStatus).setExitedAt(p.exitedAtProto()).build());
      p.exited.complete(null);
    });
  }

  Empty kill(KillRequest req) throws RpcException {
    ShimTask t = task(req.getId());
    ShimProcess p = process(t, req.getExecId());
    int sig = req.getSignal();
    if (p.isInit()) {
      if (p.phase == ShimProcess.Phase.STOPPED && !req.getAll()) {
        throw new RpcException(RpcException.NOT_FOUND, "kill " + t.id + ": process already finished");
      }
      try {
        runtime.kill(t.id, sig, req.getAll());
      } catch (ContainerException e) {
        if (p.phase == ShimProcess.Phase.STOPPED) return Empty.getDefaultInstance();
        throw failure("kill " + t.id, e);
      }
    } else {
      if (p.phase != ShimProcess.Phase.RUNNING || p.handle == null) {
        throw new RpcException(RpcException.NOT_FOUND, "kill exec " + p.execId + " of " + t.id + ": process already finished");
      }
      p.handle.kill(sig);
    }
    return Empty.getDefaultInstance();
  }

  WaitResponse waitFor(WaitRequest req) throws RpcException {
    ShimProcess p = process(task(req.getId()), req.getExecId());
    try {
      p.exited.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RpcException(RpcException.INTERNAL, "wait " + req.getId() + ": interrupted");
    } catch (ExecutionException e) {
      throw new RpcException(RpcException.INTERNAL, "wait " + req.getId() + ": " + e.getCause());
    }
    return WaitResponse.newBuilder().setExitStatus(p.exitStatus).setExitedAt(p.exitedAtProto()).build();
  }

  DeleteResponse delete(DeleteRequest req) throws RpcException {
    ShimTask t = task(req.getId());
    ShimProcess p = process(t, req.getExecId());
    if (!p.isInit()) {
      if (p.phase == ShimProcess.Phase.RUNNING) {
        throw new RpcException(RpcException.FAILED_PRECONDITION, "delete exec " + p.execId + " of " + t.id
            + ": process is running");
      }
      t.execs.remove(p.execId);
      p.io.close();
      return DeleteResponse.newBuilder().setPid(p.pid).setExitStatus(p.exitStatus).setExitedAt(p.exitedAtProto()).build();
    }
    if (p.phase == ShimProcess.Phase.RUNNING) {
      throw new RpcException(RpcException.FAILED_PRECONDITION, "delete " + t.id + ": container is running, kill it first");
    }
    try {
      // a created, never started container is killed here (containerd deletes it that way)
      runtime.delete(t.id, true);
    } catch (ContainerNotFoundException e) {
      // already gone: nothing to remove
    } catch (ContainerException e) {
      throw failure("delete " + t.id, e);
    }
    if (p.phase == ShimProcess.Phase.CREATED) {
      try {
        p.exited.get(); // the forced delete killed init: wait for its status
      } catch (Exception e) {
        LOG.fine("delete " + t.id + ": " + e);
      }
    }
    p.io.close();
    // exec processes containerd did not delete one by one: their FIFO fds go with the task
    for (ShimProcess e : t.execs.values()) e.io.close();
    t.execs.clear();
    if (t.mountedRootfs) RootfsMounts.unmountAll(t.bundle.resolve("rootfs"));
    tasks.remove(t.id);
    if (t.oomWatch != null) t.oomWatch.close(); // ended by itself with the cgroup; closing is idempotent
    events.publish("/tasks/delete", TaskDelete.newBuilder().setContainerId(t.id).setPid(p.pid)
        .setExitStatus(p.exitStatus).setExitedAt(p.exitedAtProto()).build());
    return DeleteResponse.newBuilder().setPid(p.pid).setExitStatus(p.exitStatus).setExitedAt(p.exitedAtProto()).build();
  }

  StateResponse state(StateRequest req) throws RpcException {
    ShimTask t = task(req.getId());
    ShimProcess p = process(t, req.getExecId());
    Status st = switch (p.phase) {
      case CREATED -> Status.CREATED;
      case STOPPED -> Status.STOPPED;
      case RUNNING -> p.isInit() ? runningOrPaused(t) : Status.RUNNING;
    };
    return StateResponse.newBuilder()
        .setId(p.isInit() ? t.id : p.execId).setExecId(p.execId).setBundle(t.bundle.toString()).setPid(p.pid)
        .setStatus(st).setStdin(p.io.stdinPath).setStdout(p.io.stdoutPath).setStderr(p.io.stderrPath)
        .setTerminal(p.io.terminal).setExitStatus(p.exitStatus).setExitedAt(p.exitedAtProto()).build();
  }

  private Status runningOrPaused(ShimTask t) {
    try {
      return switch (runtime.state(t.id).status()) {
        case "paused" -> Status.PAUSED;
        case "stopped" -> Status.STOPPED;
        default -> Status.RUNNING;
      };
    } catch (ContainerException e) {
      return Status.RUNNING;
    }
  }

  // ------------------------------------------------------------------ exec and io

  Empty exec(ExecProcessRequest req) throws RpcException {
    ShimTask t = task(req.getId());
    if (req.getExecId().isEmpty()) throw new RpcException(RpcException.INVALID_ARGUMENT, "exec in " + t.id + ": exec id is empty");
    if (t.execs.containsKey(req.getExecId())) {
      throw new RpcException(RpcException.ALREADY_EXISTS, "exec " + req.getExecId() + " in " + t.id + ": id already in use");
    }
    if (t.init.phase == ShimProcess.Phase.STOPPED) {
      throw new RpcException(RpcException.FAILED_PRECONDITION, "exec in " + t.id + ": container is stopped");
    }
    io.jrunc.spec.Process spec;
    try {
      spec = Json.read(req.getSpec().getValue().toByteArray(), io.jrunc.spec.Process.class);
    } catch (IOException e) {
      throw new RpcException(RpcException.INVALID_ARGUMENT, "exec " + req.getExecId() + " in " + t.id
          + ": process spec (" + req.getSpec().getTypeUrl() + "): " + e.getMessage(), e);
    }
    ProcessIo io = ProcessIo.open(req.getStdin(), req.getStdout(), req.getStderr(), req.getTerminal(), t.id, namespace);
    t.execs.put(req.getExecId(), new ShimProcess(req.getExecId(), io, spec));
    events.publish("/tasks/exec-added", TaskExecAdded.newBuilder().setContainerId(t.id).setExecId(req.getExecId()).build());
    return Empty.getDefaultInstance();
  }

  Empty closeIo(CloseIORequest req) throws RpcException {
    ShimProcess p = process(task(req.getId()), req.getExecId());
    if (req.getStdin()) p.io.closeStdin();
    return Empty.getDefaultInstance();
  }

  Empty resizePty(ResizePtyRequest req) throws RpcException {
    process(task(req.getId()), req.getExecId()).io.resize(req.getWidth(), req.getHeight());
    return Empty.getDefaultInstance();
  }

  // ------------------------------------------------------------------ cgroup verbs

  PidsResponse pids(PidsRequest req) throws RpcException {
    ShimTask t = task(req.getId());
    try {
      // as runc's shim: an exec process's entry carries its exec id (ProcessDetails in the Any)
      Map<Integer, String> execIds = new HashMap<>();
      for (ShimProcess p : t.execs.values()) {
        if (p.pid > 0 && p.phase == ShimProcess.Phase.RUNNING) execIds.put(p.pid, p.execId);
      }
      PidsResponse.Builder b = PidsResponse.newBuilder();
      for (int pid : runtime.processes(t.id)) {
        ProcessInfo.Builder info = ProcessInfo.newBuilder().setPid(pid);
        String execId = execIds.get(pid);
        if (execId != null) {
          var d = ProcessDetails.newBuilder().setExecId(execId).build();
          // the name runcoptions.proto gives it, without building descriptors (see EventPublisher.typeUrl)
          info.setInfo(Any.newBuilder().setTypeUrl("containerd.runc.v1.ProcessDetails").setValue(d.toByteString()));
        }
        b.addProcesses(info);
      }
      return b.build();
    } catch (ContainerException e) {
      throw failure("pids " + t.id, e);
    }
  }

  Empty pause(PauseRequest req) throws RpcException {
    ShimTask t = task(req.getId());
    try {
      runtime.pause(t.id);
    } catch (ContainerException e) {
      throw failure("pause " + t.id, e);
    }
    events.publish("/tasks/paused", TaskPaused.newBuilder().setContainerId(t.id).build());
    return Empty.getDefaultInstance();
  }

  Empty resume(ResumeRequest req) throws RpcException {
    ShimTask t = task(req.getId());
    try {
      runtime.resume(t.id);
    } catch (ContainerException e) {
      throw failure("resume " + t.id, e);
    }
    events.publish("/tasks/resumed", TaskResumed.newBuilder().setContainerId(t.id).build());
    return Empty.getDefaultInstance();
  }

  Empty update(UpdateTaskRequest req) throws RpcException {
    ShimTask t = task(req.getId());
    // annotations alone (no resources) change nothing jrunc keeps
    if (req.getResources().getValue().isEmpty()) return Empty.getDefaultInstance();
    LinuxResources r;
    try {
      r = Json.read(req.getResources().getValue().toByteArray(), LinuxResources.class);
    } catch (IOException e) {
      throw new RpcException(RpcException.INVALID_ARGUMENT, "update " + t.id + ": resources ("
          + req.getResources().getTypeUrl() + "): " + e.getMessage(), e);
    }
    try {
      runtime.update(t.id, r);
    } catch (ContainerException e) {
      throw failure("update " + t.id, e);
    }
    return Empty.getDefaultInstance();
  }

  StatsResponse stats(StatsRequest req) throws RpcException {
    ShimTask t = task(req.getId());
    try {
      var stats = runtime.stats(t.id);
      com.google.protobuf.Message m = CgroupLayout.unified() ? MetricsMapper.v2(stats, oomKillsOrZero(t))
          : MetricsMapper.v1(stats);
      return StatsResponse.newBuilder().setStats(Any.newBuilder()
          .setTypeUrl(m.getDescriptorForType().getFullName()).setValue(m.toByteString())).build();
    } catch (ContainerException e) {
      throw failure("stats " + t.id, e);
    }
  }

  /**
   * TaskOOM from the kernel's notification (ContainerRuntime.watchOom: one thread for every
   * task of the shim, no poll). A task whose cgroup cannot be watched (no memory controller,
   * rootless) still gets the count check at exit.
   */
  private void watchOom(ShimTask t) {
    try {
      t.oomWatch = runtime.watchOom(t.id, id -> onOom(t));
    } catch (ContainerException e) {
      LOG.fine("watch OOM events of " + t.id + ": " + e.getMessage());
    }
  }

  private void onOom(ShimTask t) {
    synchronized (t) {
      // after init's exit the at-exit count has spoken for every kill: a late notification is one of them
      if (t.oomCountedAtExit) return;
      t.oomEvents++;
      // enqueued under the task's monitor, so it is in the queue before exited() can publish TaskExit
      events.publish("/tasks/oom", TaskOOM.newBuilder().setContainerId(t.id).build());
    }
  }

  /** The cgroup's OOM kills for v2's metrics; 0 when they cannot be read (the rest of Stats stands). */
  private long oomKillsOrZero(ShimTask t) {
    try {
      return runtime.oomKills(t.id);
    } catch (ContainerException | RuntimeException e) {
      LOG.fine("oom count of " + t.id + ": " + e.getMessage());
      return 0;
    }
  }

  /** At init's exit: OOM kills the notifications have not (yet) reported become one TaskOOM. */
  private void checkOomAtExit(ShimTask t) {
    long n;
    try {
      n = runtime.oomKills(t.id);
    } catch (ContainerException | RuntimeException e) {
      LOG.fine("oom count of " + t.id + ": " + e.getMessage());
      return;
    }
    synchronized (t) {
      t.oomCountedAtExit = true;
      if (n <= t.oomEvents) return;
      t.oomEvents = n;
      events.publish("/tasks/oom", TaskOOM.newBuilder().setContainerId(t.id).build());
    }
  }

  // ------------------------------------------------------------------ shim

  ConnectResponse connect(ConnectRequest req) {
    ShimTask t = tasks.get(req.getId());
    return ConnectResponse.newBuilder().setShimPid((int) ProcessHandle.current().pid())
        .setTaskPid(t == null ? 0 : t.init.pid).setVersion(Main.version()).build();
  }

  Empty shutdown(ShutdownRequest req) {
    // containerd asks after each task's delete; a shim of a group stays while it has tasks, and
    // the node-wide shim (JRUNC_SHIM_GROUP=namespace) stays warm for the next container
    if (tasks.isEmpty() && (req.getNow() || !stayWarm)) onShutdown.run();
    return Empty.getDefaultInstance();
  }

  boolean idle() {
    return tasks.isEmpty();
  }

  // ------------------------------------------------------------------ helpers

  private ShimTask task(String id) throws RpcException {
    ShimTask t = tasks.get(id);
    if (t == null) throw new RpcException(RpcException.NOT_FOUND, "task " + id + ": not found");
    return t;
  }

  private static ShimProcess process(ShimTask t, String execId) throws RpcException {
    if (execId.isEmpty()) return t.init;
    ShimProcess p = t.execs.get(execId);
    if (p == null) throw new RpcException(RpcException.NOT_FOUND, "process " + execId + " of " + t.id + ": not found");
    return p;
  }

  /** jrunc's typed errors as the gRPC codes containerd maps to its errdefs. */
  static RpcException failure(String what, Exception e) {
    int code = switch (e) {
      case ContainerNotFoundException x -> RpcException.NOT_FOUND;
      case ContainerExistsException x -> RpcException.ALREADY_EXISTS;
      case InvalidStateException x -> RpcException.FAILED_PRECONDITION;
      case InvalidConfigException x -> RpcException.INVALID_ARGUMENT;
      case RpcException x -> x.code();
      default -> RpcException.UNKNOWN;
    };
    String msg = e.getMessage();
    return new RpcException(code, msg != null && msg.contains(what) ? msg : what + ": " + msg, e);
  }
}
