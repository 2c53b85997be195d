package io.jrunc.core.cgroup;

import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Signal;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * Signalling the processes of a cgroup (kill(2) by pid; ESRCH means it exited meanwhile).
 *
 * <p>SIGTERM and SIGKILL go through the JDK's {@link ProcessHandle} (the JDK's process API, which
 * checks the pid's start time once more right before the signal), not through an FFM downcall: the first
 * one a JVM links costs ~20-30 ms of CPU, and {@code delete --force} and {@code kill --all}
 * would pay it for the signals engines send. Like runc, the pids come from cgroup.procs, read
 * while the cgroup is frozen where it can be (a frozen process does not exit, so its pid is not
 * reused). When the JDK did not deliver it and the process is still there, kill(2) runs
 * through FFM to get the errno for the error.
 */
public final class Signals {
  private Signals() {}

  public static void signalAll(List<Integer> pids, int signal) throws CgroupException {
    boolean jdk = signal == Signal.SIGKILL || signal == Signal.SIGTERM;
    long self = jdk ? ProcessHandle.current().pid() : -1;
    for (int pid : pids) {
      if (jdk && pid != self && destroy(pid, signal)) continue;
      int r = Libc.kill(pid, signal);
      if (r < 0 && -r != Errno.ESRCH) throw new CgroupException("kill(" + pid + ", " + signal + "): " + Errno.describe(-r));
    }
  }

  /**
   * SIGTERM or SIGKILL to {@code pid} through {@link ProcessHandle}: true when it was sent, or
   * when the process is gone (as ESRCH); false when the JDK could not send it to a process that
   * is still there (the caller's kill(2) then says why).
   */
  private static boolean destroy(int pid, int signal) {
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty()) return true; // gone: ESRCH
    ProcessHandle p = h.get();
    if (signal == Signal.SIGKILL ? p.destroyForcibly() : p.destroy()) return true;
    return !p.isAlive(); // isAlive() also compares the start time of() read: false for a reused pid
  }

  /**
   * SIGKILLs everything in the cgroup ({@link CgroupManager#killAll}) and waits up to 10 s for
   * it to be empty. On v2 and hybrid the kernel says when: a {@link PopulatedWatch} on the v2
   * directory's {@code cgroup.events} (inotify, opened before the kill so that no change is
   * missed) wakes this thread, which then reads {@code populated} (one small read) and, at 0,
   * the pids to be sure. Pure v1 has no such event without a release agent: there the pids are
   * re-read every 0.25 ms for the first 10 ms (the cgroup usually empties ~2 ms after the
   * signal), then every 1 ms, then every 10 ms.
   *
   * <p>A frozen v1 task dies only once thawed: the cgroup is thawed after the kill (the signal
   * is then pending). After 50 ms without the cgroup emptying, what is left is killed again
   * through {@link CgroupManager#kill} (a process forked between reading the pids and
   * signalling them where there is no cgroup.kill, or one in a v1 directory only).
   */
  public static void killAndWait(CgroupManager m) throws CgroupException {
    List<Integer> left = m.pids();
    if (left.isEmpty()) return;
    java.nio.file.Path v2 = m.v2Dir();
    try (PopulatedWatch watch = PopulatedWatch.open(m)) {
      long start = System.nanoTime();
      boolean frozen = m.isFrozen();
      m.killAll();
      if (frozen) m.thaw();
      long nextKill = start + KILL_AGAIN_NANOS;
      for (int i = 0; ; i++) {
        // populated 0 (or unreadable): look at the pids, the answer; 1: still there
        if (v2 == null || FsSupport.populated(v2) != 1) {
          left = m.pids();
          if (left.isEmpty()) return;
        }
        long now = System.nanoTime();
        if (now - start > 10_000_000_000L) {
          left = m.pids();
          if (left.isEmpty()) return;
          throw new CgroupException("processes " + left + " did not exit within 10 s of SIGKILL (uninterruptible sleep?)");
        }
        if (now - nextKill >= 0) {
          // 50 ms without the cgroup emptying: the thorough way, which also reaches a process
          // that is in a v1 hierarchy's directory but not in the unified one cgroup.kill empties
          // (freeze, read each hierarchy's pids, signal them, thaw: runc's signalAllProcesses)
          if (m.isFrozen()) m.thaw();
          m.kill(Signal.SIGKILL);
          nextKill = now + KILL_AGAIN_NANOS;
        }
        if (watch != null) watch.await(KILL_AGAIN_NANOS / 1_000_000L);
        else pause(i);
      }
    }
  }

  private static final long KILL_AGAIN_NANOS = 50_000_000L;

  /**
   * Waits up to {@code timeoutNanos} for the cgroup to be empty, signalling nothing: for a caller
   * that has already sent SIGKILL in a way that reaches every process (init of a pid namespace
   * of its own, whose exit ends the rest of the namespace). On v2 and hybrid a
   * {@link PopulatedWatch} wakes it (registered before the first look, so no change is lost);
   * on pure v1 it polls as {@link #killAndWait} does. True when the cgroup emptied.
   */
  public static boolean awaitEmpty(CgroupManager m, long timeoutNanos) throws CgroupException {
    java.nio.file.Path v2 = m.v2Dir();
    try (PopulatedWatch watch = PopulatedWatch.open(m)) {
      long start = System.nanoTime();
      for (int i = 0; ; i++) {
        if ((v2 == null || FsSupport.populated(v2) != 1) && m.pids().isEmpty()) return true;
        long left = timeoutNanos - (System.nanoTime() - start);
        if (left <= 0) return false;
        if (watch != null) watch.await(Math.max(1, left / 1_000_000L));
        else pause(i);
      }
    }
  }

  /**
   * Pure v1's pause between looks: 0.25 ms for the first 10 ms (the cgroup usually empties ~2 ms
   * after SIGKILL), 1 ms up to 70 ms, then 10 ms. {@link LockSupport#parkNanos}, not {@code Thread.sleep}: sleep loads the JDK's
   * ThreadSleepEvent classes from its modules on first use (they are not in the command's AOT
   * cache when training's container emptied before the first look); a wake-up before the time
   * (an interrupt, or spurious) only makes the caller look again sooner.
   */
  private static void pause(int i) {
    LockSupport.parkNanos(i < 40 ? 250_000L : i < 100 ? 1_000_000L : 10_000_000L);
  }
}
