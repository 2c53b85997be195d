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
   * it to be empty, looking as {@link EmptyWait} says (the cgroup usually empties 0.3-8 ms after
   * the signal): {@code populated} of the v2 directory's {@code cgroup.events} (one small read)
   * and, at 0, the pids to be sure; on pure v1 the pids.
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
    try (EmptyWait wait = new EmptyWait(m)) {
      long start = System.nanoTime();
      boolean frozen = m.isFrozen();
      m.killAll();
      if (frozen) m.thaw();
      long nextKill = start + KILL_AGAIN_NANOS;
      while (true) {
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
        wait.pause(KILL_AGAIN_NANOS / 1_000_000L);
      }
    }
  }

  private static final long KILL_AGAIN_NANOS = 50_000_000L;

  /**
   * Waits up to {@code timeoutNanos} for the cgroup to be empty, signalling nothing: for a caller
   * that has already sent SIGKILL in a way that reaches every process (init of a pid namespace
   * of its own, whose exit ends the rest of the namespace). Looks first (the caller's kill came
   * a little earlier, and the cgroup has usually emptied by now), then as {@link EmptyWait}
   * says. True when the cgroup emptied.
   */
  public static boolean awaitEmpty(CgroupManager m, long timeoutNanos) throws CgroupException {
    java.nio.file.Path v2 = m.v2Dir();
    long start = System.nanoTime();
    try (EmptyWait wait = new EmptyWait(m)) {
      while (true) {
        if ((v2 == null || FsSupport.populated(v2) != 1) && m.pids().isEmpty()) return true;
        long left = timeoutNanos - (System.nanoTime() - start);
        if (left <= 0) return false;
        wait.pause(Math.max(1, left / 1_000_000L));
      }
    }
  }

  /**
   * The pause between two looks at a cgroup that is to empty: 0.25 ms for the first 10 ms, then,
   * on v2 and hybrid, until the kernel says {@code cgroup.events} changed (a {@link
   * PopulatedWatch}, inotify); on pure v1, which has no such event without a release agent, 1 ms
   * up to 70 ms, then 10 ms.
   *
   * <p>Why not the watch from the start: it is not free. Closing its inotify descriptor (or
   * exiting, which closes it) waits for an SRCU grace period of the kernel's fsnotify when a
   * mark was set on cgroupfs (7.7-15.7 ms in 6 of 20 closes on a 2-core KVM guest, kernel 6.18),
   * and 12 of 20 {@code delete --force} calls on its hybrid layout took 35-51 ms instead of 24-29.
   * A killed cgroup empties 0.3-8 ms after the signal: a few reads of one small file are
   * cheaper. The watch is opened only for a slow end, and looked through once before it is
   * waited on (no change between the last look and its registration is lost).
   */
  private static final class EmptyWait implements AutoCloseable {
    /** Looks 0.25 ms apart before the watch: the first 10 ms. */
    static final int POLLED_LOOKS = 40;
    private final CgroupManager m;
    private PopulatedWatch watch;
    private boolean watchTried;
    private int looks;

    EmptyWait(CgroupManager m) {
      this.m = m;
    }

    /** Waits before the next look, at most {@code maxMillis} on the watch. */
    void pause(long maxMillis) {
      int i = looks++;
      if (i >= POLLED_LOOKS && !watchTried) {
        watchTried = true;
        watch = PopulatedWatch.open(m);
        if (watch != null) return; // one more look before the first wait on it
      }
      if (watch != null) watch.await(maxMillis);
      else Signals.pause(i);
    }

    @Override
    public void close() {
      if (watch != null) watch.close();
    }
  }

  /**
   * The pause before look {@code i} without a watch: 0.25 ms for the first 10 ms, 1 ms up to 70
   * ms, then 10 ms. {@link LockSupport#parkNanos}, not {@code Thread.sleep}: sleep loads the JDK's
   * ThreadSleepEvent classes from its modules on first use (they are not in the command's AOT
   * cache when training's container emptied before the first look); a wake-up before the time
   * (an interrupt, or spurious) only makes the caller look again sooner.
   */
  private static void pause(int i) {
    LockSupport.parkNanos(i < EmptyWait.POLLED_LOOKS ? 250_000L : i < 100 ? 1_000_000L : 10_000_000L);
  }
}
