package io.jrunc.core.api;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.container.Lifecycle;
import io.jrunc.core.state.ProcStat;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.SysException;
import io.jrunc.spec.State;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A handle on one container. */
public final class Container {
  private final Lifecycle lifecycle;
  private final String id;
  private final int pid;
  private final boolean ourChild;
  private final CallerPipes pipes;
  private Integer exitCode;

  Container(Lifecycle lifecycle, String id, int pid, boolean ourChild, int[] pipes) {
    this.lifecycle = lifecycle;
    this.id = id;
    this.pid = pid;
    this.ourChild = ourChild;
    this.pipes = new CallerPipes(pipes);
  }

  public String id() {
    return id;
  }

  /** The init process's pid on the host. */
  public int pid() {
    return pid;
  }

  public State state() throws ContainerException {
    try {
      return lifecycle.state(id);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  public ContainerStatus status() throws ContainerException {
    return ContainerStatus.valueOf(state().status().toUpperCase());
  }

  public void start() throws ContainerException {
    try {
      lifecycle.start(id);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /** Sends {@code signal} (a number: 15 for SIGTERM) to the init process. */
  public void kill(int signal) throws ContainerException {
    try {
      lifecycle.kill(id, signal, false);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /** Sends {@code signal} to init, or with {@code all} to every process of the container. */
  public void kill(int signal, boolean all) throws ContainerException {
    try {
      lifecycle.kill(id, signal, all);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /**
   * Passes {@code signal} straight to init, with no status check: what a foreground
   * {@code run} forwards while it waits. Only for a container this JVM created (init is its
   * unreaped child, so the pid cannot have been recycled); any other goes through
   * {@link #kill(int)}.
   */
  public void forwardSignal(int signal) throws ContainerException {
    if (ourChild) {
      Libc.kill(pid, signal);
    } else {
      kill(signal);
    }
  }

  /** Freezes every process of the container. */
  public void pause() throws ContainerException {
    try {
      lifecycle.pause(id);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /** Thaws a paused container. */
  public void resume() throws ContainerException {
    try {
      lifecycle.resume(id);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /** Changes the cgroup limits of the running container. */
  public void update(io.jrunc.spec.LinuxResources resources) throws ContainerException {
    try {
      lifecycle.update(id, resources);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /** The cgroup statistics, shaped like runc's {@code events --stats} data. */
  public io.jrunc.core.api.stats.CgroupStats stats() throws ContainerException {
    try {
      return lifecycle.stats(id);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /** The host pids of every process in the container. */
  public java.util.List<Integer> processes() throws ContainerException {
    try {
      return lifecycle.pids(id);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
  }

  /**
   * Waits for init to exit and returns its exit code (128 + signal when killed). For a
   * container this JVM did not create the code is unknown and -1 is returned.
   */
  public synchronized int waitFor() throws ContainerException {
    if (exitCode != null) return exitCode;
    if (ourChild) {
      try {
        exitCode = Libc.exitCode(Libc.wait4(pid, 0)[1]);
      } catch (SysException e) {
        throw new SetupException("wait for " + id + ": " + e.getMessage(), e.errno(), e);
      }
    } else {
      awaitExitOfOthers();
      exitCode = -1;
    }
    return exitCode;
  }

  /**
   * Waits for init of a container this JVM did not create (not our child: no exit status). The
   * kernel says when it exits: a pidfd turns readable (pidfd_open(2), Linux 5.3), so the
   * return follows the exit at once, with no /proc poll. The pidfd is opened before the
   * start-time check, so it is the recorded process's, not a later one's with a reused pid.
   * Interruptible: the wait wakes every 100 ms to look at the interrupt flag.
   */
  private void awaitExitOfOthers() throws ContainerException {
    long start = ProcStat.startTime(pid);
    if (start < 0) return;
    int pidfd = Libc.pidfdOpen(pid);
    if (pidfd < 0) return; // ESRCH: gone already
    try {
      if (!ProcStat.isAlive(pid, start)) return;
      while (!Libc.awaitReadable(pidfd, 100)) {
        if (Thread.interrupted()) {
          Thread.currentThread().interrupt();
          throw new SetupException("interrupted while waiting for " + id, 0, new InterruptedException());
        }
      }
    } catch (SysException e) {
      throw new SetupException("wait for " + id + ": " + e.getMessage(), e.errno(), e);
    } finally {
      Libc.close(pidfd);
    }
  }

  /** Runs another process in the container's namespaces and cgroup (runc's {@code exec}). */
  public ContainerProcess exec(io.jrunc.spec.Process process, ExecOptions options) throws ContainerException {
    Lifecycle.Executed e;
    try {
      e = lifecycle.exec(id, process, Requests.exec(options));
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
    return new ContainerProcess(e.pid(), e.callerPipes());
  }

  /** Deletes the container; {@code force} kills a running one first. */
  public void delete(boolean force) throws ContainerException {
    try {
      lifecycle.delete(id, force);
    } catch (ContainerFailure f) {
      throw ApiFailures.translate(f);
    }
    closePipes();
  }

  /** The container's stdout when created with {@link Stdio.Pipe}; null otherwise. */
  public InputStream stdout() throws IOException {
    return pipes.stdout();
  }

  public InputStream stderr() throws IOException {
    return pipes.stderr();
  }

  public OutputStream stdin() throws IOException {
    return pipes.stdin();
  }

  /**
   * Closes this handle's own write end of the stdin pipe: the process reads EOF once the
   * streams {@link #stdin()} gave are closed too (each is an end of its own).
   */
  public void closeStdin() {
    pipes.closeStdin();
  }

  private void closePipes() {
    pipes.closeAll();
  }
}
