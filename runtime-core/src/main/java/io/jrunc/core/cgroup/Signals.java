package io.jrunc.core.cgroup;

import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Signal;
import java.util.List;
import java.util.Optional;

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
   * SIGKILLs everything in the cgroup and waits up to 10 s for the cgroup to be empty. Woken by
   * the kernel where it can tell ({@link PopulatedWatch}: cgroup v2, and the unified hierarchy of
   * the hybrid layout); polled every 1-10 ms on pure v1, where nothing tells without FFM.
   */
  public static void killAndWait(CgroupManager m) throws CgroupException {
    if (m.pids().isEmpty()) return;
    try (PopulatedWatch watch = PopulatedWatch.open(m)) { // before the re-read below: no change is missed
      long deadline = System.nanoTime() + 10_000_000_000L;
      int i = 0;
      boolean woken = true;
      while (true) {
        List<Integer> left = m.pids();
        if (left.isEmpty()) return;
        // a frozen v1 task only dies once thawed
        if (m.isFrozen()) m.thaw();
        // again now and then: a process forked between reading cgroup.procs and the signal.
        // With the watch: to the pids just read, without the freezer's round trip (freezing
        // waits for tasks that are still exiting, so it would only poll their exit), first and
        // after each quiet wait; a fork it misses is killed after that wait
        if (watch == null) {
          if (i % 20 == 0) m.kill(Signal.SIGKILL);
        } else if (i == 0 || !woken) {
          signalAll(left, Signal.SIGKILL);
        }
        if (System.nanoTime() > deadline) {
          throw new CgroupException("processes " + left + " did not exit within 10 s of SIGKILL (uninterruptible sleep?)");
        }
        if (watch != null) woken = watch.await(200);
        else FsSupport.sleep(i < 10 ? 1 : 10);
        i++;
      }
    }
  }
}
