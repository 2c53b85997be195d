package io.jrunc.core.api;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.container.Lifecycle;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.StateStore;
import io.jrunc.core.api.stats.CgroupStats;
import io.jrunc.core.sys.Libc;
import io.jrunc.spec.LinuxResources;
import io.jrunc.spec.Spec;
import io.jrunc.spec.State;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The entry point for embedders: a runtime over one state directory.
 *
 * <pre>{@code
 * ContainerRuntime rt = ContainerRuntime.open(Path.of("/run/jrunc"));
 * Container c = rt.create("web", CreateOptions.bundle(Path.of("/srv/bundle")));
 * c.start();
 * int exit = c.waitFor();
 * c.delete(false);
 * }</pre>
 *
 * Containers created here are children of this JVM, so {@link Container#waitFor()} gets their
 * exit status; containers loaded by id (created by another process) are watched through /proc.
 *
 * <p>Every verb is also offered by id ({@link #state}, {@link #start}, {@link #kill},
 * {@link #delete}, {@link #pause}, {@link #resume}, {@link #update}, {@link #stats},
 * {@link #processes}, {@link #exec}, ...): these work on a container in any status, also one
 * being created or with a damaged state file (where {@link #get} refuses), as runc's commands do.
 *
 * <p>Calls run on the caller's thread and may wait there ({@code create} for init's READY and
 * for hooks, {@code waitFor} for the exit). A virtual thread may call them: their waiting system
 * calls, and a create or exec whole (a child's parent-death signal belongs to the thread that
 * cloned it, and an idle carrier ends), are then made on a platform thread of a small pool
 * while it parks, so none of them holds a carrier.
 */
public final class ContainerRuntime {
  private final Lifecycle lifecycle;

  private ContainerRuntime(Path root, Boolean rootless) {
    this.lifecycle = new Lifecycle(new StateStore(root), rootless);
  }

  /** A runtime over {@code root} (runc's {@code --root}). */
  public static ContainerRuntime open(Path root) {
    return new ContainerRuntime(root, null);
  }

  /**
   * A runtime over {@code root} with runc's {@code --rootless}: TRUE tolerates cgroup permission
   * errors (the container then runs without a cgroup when it asks for no limits), FALSE makes them
   * fatal, null decides by the effective uid (auto).
   */
  public static ContainerRuntime open(Path root, Boolean rootless) {
    return new ContainerRuntime(root, rootless);
  }

  /** A runtime over runc's default root for this user: /run/jrunc, or $XDG_RUNTIME_DIR/jrunc. */
  public static ContainerRuntime openDefault() {
    return new ContainerRuntime(StateStore.defaultRoot(Libc.geteuid() == 0), null);
  }

  public Path root() {
    return lifecycle.store().root();
  }

  /** Creates a container: its init is set up and waits for {@link Container#start()}. */
  public Container create(String id, CreateOptions options) throws ContainerException {
    Lifecycle.Created c;
    try {
      c = lifecycle.create(id, Requests.create(options));
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
    return new Container(lifecycle, id, c.record().pid(), true, c.callerPipes());
  }

  /**
   * Internal, for the CLI's AOT training run: create's validate and plan stages for
   * {@code id}, and the init program compiled, but nothing made on the host (no state directory,
   * cgroup, fifo or process). Throws what {@link #create} would throw for a config error. Returns
   * a one-line summary of the plan, whose wording is not an API.
   */
  public String plan(String id, CreateOptions options) throws ContainerException {
    try {
      return lifecycle.plan(id, Requests.create(options));
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /** A handle on an existing container. */
  public Container get(String id) throws ContainerException {
    ContainerRecord r;
    try {
      r = lifecycle.load(id);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
    return new Container(lifecycle, id, r.pid(), false, new int[] {-1, -1, -1});
  }

  /** The ids of all containers under this root. */
  public List<String> list() throws ContainerException {
    try {
      return lifecycle.ids();
    } catch (IOException e) {
      throw new SetupException("list " + root() + ": " + e.getMessage(), 0, e);
    }
  }

  /**
   * The OCI state with runc's extra fields (bundle, rootfs, created, owner); a container being
   * created reports "creating".
   */
  public State state(String id) throws ContainerException {
    try {
      return lifecycle.state(id);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /** The config.json the container was created with, as create saved it (after its additions). */
  public Spec savedConfig(String id) throws ContainerException {
    Path config = lifecycle.store().dir(id).resolve("config.json");
    if (!Files.exists(config)) {
      try {
        lifecycle.load(id); // the right error: does not exist / being created
      } catch (ContainerFailure f) {
        throw ApiFailures.translate(f);
      }
      throw new SetupException("container " + id + " has no saved config", 0, null);
    }
    try {
      return lifecycle.store().readConfig(id);
    } catch (IOException e) {
      throw new SetupException("read " + config + ": " + e.getMessage(), 0, e);
    }
  }

  /**
   * Starts a created container (runc's {@code start}). For a container created in this process,
   * returns once its process runs; one the kernel will not exec throws a {@link SetupException}
   * whose {@link SetupException#saidOnStderr()} is true (init wrote the reason to the process's
   * stderr and exited 1, the container is stopped), where runc's start would have succeeded.
   */
  public void start(String id) throws ContainerException {
    try {
      lifecycle.start(id);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /**
   * Sends {@code signal} to init, or with {@code all} to every process of the container
   * (runc's {@code kill [--all]}).
   */
  public void kill(String id, int signal, boolean all) throws ContainerException {
    try {
      lifecycle.kill(id, signal, all);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /**
   * Deletes a stopped container; {@code force} kills a running one first, and removes what a
   * create that died half-way or a damaged state file left (runc's {@code delete [--force]}).
   */
  public void delete(String id, boolean force) throws ContainerException {
    try {
      lifecycle.delete(id, force);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /** Freezes every process of the container (runc's {@code pause}). */
  public void pause(String id) throws ContainerException {
    try {
      lifecycle.pause(id);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /** Thaws a paused container (runc's {@code resume}). */
  public void resume(String id) throws ContainerException {
    try {
      lifecycle.resume(id);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /** Changes the cgroup limits of a running container (runc's {@code update}). */
  public void update(String id, LinuxResources resources) throws ContainerException {
    try {
      lifecycle.update(id, resources);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /** The cgroup statistics, shaped like runc's {@code events --stats} data. */
  public CgroupStats stats(String id) throws ContainerException {
    try {
      return lifecycle.stats(id);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /** How many processes the OOM killer has killed in the container's cgroup. */
  public long oomKills(String id) throws ContainerException {
    try {
      return lifecycle.oomKills(id);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /**
   * Watches the container's cgroup for OOM events the kernel reports (cgroup v1 and hybrid: an
   * eventfd on {@code memory.oom_control}; v2: inotify on {@code memory.events}), without
   * polling: one thread of this runtime serves every watch, starting with the first and ending
   * with the last. The watch ends by itself ({@link OomListener#ended}) when the cgroup empties
   * or is removed, e.g. by {@link #delete}. An OOM before the watch starts is not reported;
   * {@link #oomKills} counts them all, though a kill may be counted a moment after its
   * notification (v1 signals as the OOM killer starts).
   *
   * @throws InvalidStateException when the container has stopped
   * @throws SetupException when it has no cgroup with a memory controller, or arming fails
   */
  public OomWatch watchOom(String id, OomListener listener) throws ContainerException {
    try {
      var w = lifecycle.watchOom(id, new io.jrunc.core.cgroup.OomMonitor.Listener() {
        @Override public void oom() { listener.oom(id); }
        @Override public void ended() { listener.ended(id); }
      });
      return new OomWatch() {
        @Override public String id() { return id; }
        @Override public void close() { w.close(); }
      };
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /** The host pids of every process in the container (runc's {@code ps}). */
  public List<Integer> processes(String id) throws ContainerException {
    try {
      return lifecycle.pids(id);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /**
   * Runs another process in the container's namespaces and cgroup (runc's {@code exec}); the
   * process is a child of this JVM: wait for it or signal it through the handle.
   */
  public ContainerProcess exec(String id, io.jrunc.spec.Process process, ExecOptions options)
      throws ContainerException {
    Lifecycle.Executed e;
    try {
      e = lifecycle.exec(id, process, Requests.exec(options));
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
    return new ContainerProcess(e.pid(), e.callerPipes());
  }
}
