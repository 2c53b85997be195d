package io.jrunc.core.container;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.InvalidStateFailure;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.failure.Status;
import io.jrunc.core.log.Logs;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.ProcStat;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Signal;
import io.jrunc.core.sys.SysException;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * Signals to a container's init that cannot hit a recycled pid, and waiting for it to go.
 *
 * <p>Two ways to signal init, both checking that its pid still belongs to the process the record
 * names (same start time) before the signal is sent:
 *
 * <table>
 *   <caption>How a signal reaches init</caption>
 *   <tr><th>signal</th><th>through</th><th>window for a recycled pid</th></tr>
 *   <tr><td>SIGTERM, SIGKILL</td><td>{@link ProcessHandle#of}, then the record's start time
 *       against /proc ({@link ProcStat#isAlive}), then {@code destroy()} /
 *       {@code destroyForcibly()}, which check the pid's start time once more right before
 *       the signal is sent</td><td>the microseconds between that check and
 *       {@code kill(2)}: init would have to exit, be reaped and its pid be handed to a new
 *       process within them. runc has the same window (it checks the start time, then calls
 *       {@code kill(2)})</td></tr>
 *   <tr><td>any other, and whenever the above did not deliver (gone, or kill(2) failed)</td>
 *       <td>a pidfd opened before the start-time check, then {@code pidfd_send_signal}</td>
 *       <td>none: the pidfd pins the process</td></tr>
 * </table>
 *
 * Why two: {@code ProcessHandle} is the JDK's own process API and links no FFM downcall, while the first
 * FFM downcall a JVM links costs ~20-30 ms of CPU (linker, LambdaForms and a stub spun at run
 * time, not kept by the AOT cache): {@code kill} of TERM or KILL, the signals engines send,
 * would otherwise pay that on every call. The pidfd path still gives the exact errno and
 * runc's words whenever the fast path cannot say what happened.
 */
final class InitSignals {
  /**
   * Only where a line is written, not a static field: kill loads this class on every call, and
   * the first getLogger of a JVM bootstraps SLF4J. (Lifecycle's name, as before the split.)
   */
  private static Logger log() {
    return Logs.get(Lifecycle.class);
  }

  private InitSignals() {}

  /** Whether {@link #prepare} has started its thread in this JVM. */
  private static volatile boolean prepared;

  /**
   * Starts, once per JVM, the JDK's process-handle set-up on a thread of its own and returns at
   * once: {@link ProcessHandle}'s first use initialises its implementation (a reaper thread pool,
   * ~40 classes: ~0.5-0.9 ms of a cold JVM), which a {@code kill} or {@code delete --force} would
   * otherwise pay on its way to the signal. Called where TERM or KILL is likely to follow (a
   * kill, a forced delete of a container that is there); the command meanwhile takes its lock
   * and reads its record on the first core. Class initialisation is the lock: a signal sent
   * before the set-up is done waits for it.
   */
  static void prepare(int signal) {
    if (prepared || signal != Signal.SIGKILL && signal != Signal.SIGTERM) return;
    prepared = true;
    try {
      Thread t = new Thread(new ProcessHandleSetUp(), "jrunc-prepare");
      t.setDaemon(true);
      t.start();
    } catch (OutOfMemoryError | RuntimeException e) {
      // no thread to be had (a pids limit, say): the signal sets ProcessHandle up itself, as before
    }
  }

  /** {@link #prepare}'s work: a named class, not a lambda (no call site to link on the way). */
  private static final class ProcessHandleSetUp implements Runnable {
    @Override
    public void run() {
      ProcessHandle.current();
    }
  }

  /**
   * Signals init, never a recycled pid: SIGTERM and SIGKILL through {@link ProcessHandle}, the
   * others (and a failed try of those) through a pidfd opened before its start time is checked.
   */
  static void signalInit(ContainerRecord r, int signal) throws ContainerFailure {
    if (destroyInit(r, signal)) return;
    signalThroughPidfd(r, signal);
  }

  /**
   * SIGTERM or SIGKILL to init through the JDK's {@link ProcessHandle} (no FFM link).
   *
   * @return true when the signal was sent to the process the record names; false when it was
   *     not (another signal, init gone or a zombie, a recycled pid, or kill(2) failed): the pidfd
   *     path then tells which, in the usual words
   */
  static boolean destroyInit(ContainerRecord r, int signal) {
    if (signal != Signal.SIGKILL && signal != Signal.SIGTERM) return false;
    if (r.pid() <= 0 || r.pid() == ProcessHandle.current().pid()) return false; // destroy() refuses ourselves
    // of() remembers the pid's start time; isAlive() afterwards proves it was init's then (a pid
    // is only reused after its process is gone, and init was alive from before of() to now)
    Optional<ProcessHandle> h = ProcessHandle.of(r.pid());
    if (h.isEmpty() || !ProcStat.isAlive(r.pid(), r.pidStartTime())) return false;
    return signal == Signal.SIGKILL ? h.get().destroyForcibly() : h.get().destroy();
  }

  /** Signals init through a pidfd opened after checking its start time: no recycled pid is hit. */
  private static void signalThroughPidfd(ContainerRecord r, int signal) throws ContainerFailure {
    int pidfd = Libc.pidfdOpen(r.pid());
    if (pidfd < 0) {
      if (pidfd == -Errno.ESRCH) throw new InvalidStateFailure("container not running", Status.STOPPED);
      throw new SetupFailure("pidfd_open " + r.pid() + ": " + Errno.describe(-pidfd), -pidfd, null);
    }
    try {
      if (!ProcStat.isAlive(r.pid(), r.pidStartTime())) {
        throw new InvalidStateFailure("container not running", Status.STOPPED);
      }
      int res = Libc.pidfdSendSignal(pidfd, signal);
      if (res == -Errno.ESRCH) throw new InvalidStateFailure("container not running", Status.STOPPED);
      if (res < 0) throw new SetupFailure("signal " + signal + " to " + r.pid() + ": " + Errno.describe(-res), -res, null);
    } finally {
      Libc.close(pidfd);
    }
  }

  /** How long {@link #awaitExit} waits for init's death after its SIGKILL (runc's delete waits 10 s). */
  static final long EXIT_WAIT_MILLIS = 20_000;

  /**
   * Waits until init is gone (reaping it if it is our child), at most {@link #EXIT_WAIT_MILLIS}.
   * False when it is still alive then: a task frozen by a freezer cgroup other than the
   * container's, or in uninterruptible sleep, does not die of its SIGKILL until thawed or woken.
   */
  static boolean awaitExit(ContainerRecord r) {
    // A pidfd is readable once its process has exited: one wait in the kernel, woken at the
    // exit, instead of polling wait4 and /proc every millisecond. Opened before the start-time
    // check, so it is init's and not a recycled pid's.
    int pidfd = Libc.pidfdOpen(r.pid());
    if (pidfd >= 0) {
      boolean gone = true;
      try {
        gone = !ProcStat.isAlive(r.pid(), r.pidStartTime()) || Libc.awaitReadable(pidfd, EXIT_WAIT_MILLIS);
      } catch (SysException e) {
        log().debug("wait for the exit of {} through its pidfd: {}", r.pid(), e.getMessage());
        gone = pollUntilGone(r);
      } finally {
        Libc.close(pidfd);
      }
      try {
        Libc.wait4(r.pid(), Libc.WNOHANG); // our child (the library's create): no zombie left
      } catch (SysException e) {
        // ECHILD: not our child
      }
      return gone;
    }
    return pollUntilGone(r); // ESRCH: gone already; or no pidfd_open (before Linux 5.3)
  }

  private static boolean pollUntilGone(ContainerRecord r) {
    for (int i = 0; i < 2000; i++) {
      try {
        int[] st = Libc.wait4(r.pid(), Libc.WNOHANG);
        if (st[0] == r.pid()) return true;
      } catch (SysException e) {
        // ECHILD: not our child; watch /proc instead
      }
      if (!ProcStat.isAlive(r.pid(), r.pidStartTime())) return true;
      try {
        Thread.sleep(i < 100 ? 1 : 10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return !ProcStat.isAlive(r.pid(), r.pidStartTime());
      }
    }
    return false;
  }
}
