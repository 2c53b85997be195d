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
   * it to be empty, re-reading it every 0.25 ms for the first 10 ms, then every 1 ms, then every
   * 10 ms (on v2 and hybrid the v2 directory's {@code populated}, one small read, then the pids
   * to be sure).
   *
   * <p>Why a poll and not a wait the kernel ends: the cgroup empties 1.5-2.5 ms after the
   * SIGKILL here (the killed init's namespaces and mounts go first), and the only wake-up the JDK
   * offers without an FFM link (~20-30 ms of CPU for the first) is its inotify WatchService: a
   * poller thread, a registration round trip through it and ~40 classes in the command's AOT
   * cache, for a wait of a few reads. Measured on a cold {@code delete --force} (hybrid host),
   * from its status to the JVM's exit: 3.8 ms with the watch, 3.5 ms with this poll (medians of
   * 15 interleaved runs each); CPU the same within noise (36/36 ms, startup-ab, 40 runs).
   *
   * <p>A frozen v1 task dies only once thawed: the cgroup is thawed after the kill (the signal
   * is then pending). Every 50 ms the processes left are killed again (a process forked between
   * reading the pids and signalling them, where there is no cgroup.kill).
   */
  public static void killAndWait(CgroupManager m) throws CgroupException {
    List<Integer> left = m.pids();
    if (left.isEmpty()) return;
    java.nio.file.Path v2 = m.v2Dir();
    long start = System.nanoTime();
    boolean frozen = m.isFrozen();
    m.killAll();
    if (frozen) m.thaw();
    long nextKill = start + KILL_AGAIN_NANOS;
    for (int i = 0; ; i++) {
      pause(i);
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
        if (m.isFrozen()) m.thaw();
        if (v2 != null) m.killAll();
        else signalAll(left, Signal.SIGKILL);
        nextKill = now + KILL_AGAIN_NANOS;
      }
    }
  }

  private static final long KILL_AGAIN_NANOS = 50_000_000L;

  /**
   * 0.25 ms for the first 10 ms (the cgroup usually empties ~2 ms after SIGKILL), 1 ms up to 70
   * ms, then 10 ms. {@link LockSupport#parkNanos}, not {@code Thread.sleep}: sleep loads the JDK's
   * ThreadSleepEvent classes from its modules on first use (they are not in the command's AOT
   * cache when training's container emptied before the first look); a wake-up before the time
   * (an interrupt, or spurious) only makes the caller look again sooner.
   */
  private static void pause(int i) {
    LockSupport.parkNanos(i < 40 ? 250_000L : i < 100 ? 1_000_000L : 10_000_000L);
  }
}
