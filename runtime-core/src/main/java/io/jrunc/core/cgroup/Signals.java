package io.jrunc.core.cgroup;

import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Signal;
import java.util.List;

/** Signalling the processes of a cgroup (kill(2) by pid; ESRCH means it exited meanwhile). */
public final class Signals {
  private Signals() {}

  public static void signalAll(List<Integer> pids, int signal) throws CgroupException {
    for (int pid : pids) {
      int r = Libc.kill(pid, signal);
      if (r < 0 && -r != Errno.ESRCH) throw new CgroupException("kill(" + pid + ", " + signal + "): " + Errno.describe(-r));
    }
  }

  /** SIGKILLs everything in the cgroup and waits up to 10 s for the cgroup to be empty. */
  public static void killAndWait(CgroupManager m) throws CgroupException {
    if (m.pids().isEmpty()) return;
    long deadline = System.nanoTime() + 10_000_000_000L;
    int i = 0;
    while (true) {
      List<Integer> left = m.pids();
      if (left.isEmpty()) return;
      // a frozen v1 task only dies once thawed
      if (m.isFrozen()) m.thaw();
      if (i % 20 == 0) m.kill(Signal.SIGKILL);
      if (System.nanoTime() > deadline) {
        throw new CgroupException("processes " + left + " did not exit within 10 s of SIGKILL (uninterruptible sleep?)");
      }
      FsSupport.sleep(i++ < 10 ? 1 : 10);
    }
  }
}
