package io.jrunc.core.container;

import static io.jrunc.core.process.LaunchSupport.*;
import static io.jrunc.core.container.ContainerCgroups.*;
import static io.jrunc.core.container.InitSignals.*;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.Failures;
import io.jrunc.core.failure.InvalidStateFailure;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.failure.Status;
import io.jrunc.core.process.HookLauncher;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.ProcStat;
import io.jrunc.core.state.StateStore;
import io.jrunc.core.spawn.Spawner;
import io.jrunc.core.spawn.StepFailedException;
import io.jrunc.core.sys.SysException;
import io.jrunc.core.hooks.HookRunner;
import io.jrunc.core.terminal.NotifySocket;
import io.jrunc.spec.Hooks;
import io.jrunc.spec.Spec;
import io.jrunc.spec.State;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** start: startContainer hooks, the exec fifo written, poststart hooks, sd_notify forwarded. */
final class ContainerStart extends ContainerVerb {

  /**
   * How long start waits for the execve of a process created in this process: it follows the
   * fifo's release at once; a bound all the same, as a step between might wait.
   */
  private static final long EXEC_WAIT_MILLIS = 10_000;

  ContainerStart(Lifecycle lc) {
    super(lc);
  }

  void start(String id) throws ContainerFailure {
    NotifySocket notify = null;
    ContainerRecord started = null;
    // The record is read once, under the lock, when its file is there (the usual case). Else it
    // is read before the lock is taken, which fails as it did (no such container, one being
    // created) without waiting for the lock; if the file appeared meanwhile, it is read again.
    if (!store.hasRecordFile(id)) load(id);
    try (StateStore.Lock lock = lock(id)) {
      ContainerRecord r = load(id);
      // the freezer asked only when init may be frozen: re-opening the cgroup for it cost ~1.1
      // ms of every start (8 alternating rounds of 15), and a created init is told by its fifo
      Status s = StatusDerivation.derive(r, StatusDerivation.host(store), StatusDerivation.Freezer.IF_INIT_MAY_BE_FROZEN);
      switch (s) {
        case CREATED -> {}
        case STOPPED -> throw new InvalidStateFailure("cannot start a container that has stopped", s);
        case PAUSED -> throw new InvalidStateFailure("cannot start a container in the paused state", s); // runc's words
        default -> throw new InvalidStateFailure("cannot start an already running container", s);
      }
      Spec spec = store.readConfigIfHooks(r); // null: no hooks (and no Jackson)
      Hooks hooks = spec == null ? null : spec.hooks();
      if (hooks != null && hooks.startContainer() != null) {
        try {
          HookRunner.runAll("startContainer", hooks.startContainer(), lc.state(id),
              HookLauncher.startContainer(r.pid(), spec));
        } catch (HookRunner.HookException he) {
          throw Failures.translate(he);
        }
      }
      // sd_notify passthrough (as runc): the socket create mounted at /run/notify is bound now,
      // and once init runs its READY=1 is forwarded to the caller's NOTIFY_SOCKET. The directory
      // first: only a create that had a NOTIFY_SOCKET made it, and the environment's first read
      // parses all of it (~0.2 ms of a cold start)
      if (Files.isDirectory(NotifySocket.socketPath(store.dir(id)).getParent())) {
        String notifyHost = NotifySocket.hostSocket(System.getenv());
        if (notifyHost != null) notify = NotifySocket.bind(store.dir(id), notifyHost);
      }
      Path fifo = store.dir(id).resolve(Lifecycle.FIFO);
      Lifecycle.ExecWatch watch = lc.takeExecWatch(id);
      try {
        ExecFifo.release(fifo, r);
        Files.deleteIfExists(fifo);
        // created in this process (the API, run): the process's execve, or why it failed
        if (watch != null && watch.pid() == r.pid()) Spawner.awaitExec(watch.program(), watch.fd(), EXEC_WAIT_MILLIS);
      } catch (StepFailedException | SysException x) {
        throw Failures.translate(x); // a failed step: init exited 1 after its report, the container is stopped
      } finally {
        if (watch != null) watch.close();
      }
      if (hooks != null && hooks.poststart() != null) {
        try {
          // the state as it was at start: a process that has exited already was still started
          State st = new State(ociVersion(spec), id, State.RUNNING, r.pid(), r.bundle(), r.annotations(), r.rootfs(),
              r.created(), r.owner());
          HookRunner.runAll("poststart", hooks.poststart(), st, HookLauncher.inRuntime(null));
        } catch (HookRunner.HookException he) {
          // runtime-spec 1.3: a failing poststart hook fails start; the container is stopped
          try {
            signalInit(r, 9);
          } catch (ContainerFailure ignored) {
            // exited already
          }
          throw Failures.translate(he);
        }
      }
      started = r;
    } catch (IOException e) {
      if (notify != null) notify.close();
      throw new SetupFailure("start " + id + ": " + e.getMessage(), 0, e);
    } catch (ContainerFailure | RuntimeException e) {
      if (notify != null) notify.close();
      throw e;
    }
    if (notify != null) {
      // outside the lock: kill and delete must not wait for a container that never says READY
      ContainerRecord r = started;
      try (NotifySocket n = notify) {
        n.forwardUntilReady(r.pid(), () -> ProcStat.isAlive(r.pid(), r.pidStartTime()), null);
      } catch (SysException e) {
        throw new SetupFailure("forward the container's sd_notify messages: " + e.getMessage(), e.errno(), e);
      }
    }
  }
}
