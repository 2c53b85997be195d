package io.jrunc.core.container;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.InvalidStateFailure;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.failure.Status;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.ProcStat;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.SysException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Signals to a container's init that cannot hit a recycled pid, and waiting for it to go. */
final class InitSignals {
  private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class); // same logger name as before the split

  private InitSignals() {}

  /** Signals init through a pidfd opened after checking its start time: no recycled pid is hit. */
  static void signalInit(ContainerRecord r, int signal) throws ContainerFailure {
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

  /** Waits until init is gone (reaping it if it is our child). */
  static void awaitExit(ContainerRecord r) {
    // A pidfd is readable once its process has exited: one wait in the kernel, woken at the
    // exit, instead of polling wait4 and /proc every millisecond. Opened before the start-time
    // check, so it is init's and not a recycled pid's.
    int pidfd = Libc.pidfdOpen(r.pid());
    if (pidfd >= 0) {
      try {
        if (ProcStat.isAlive(r.pid(), r.pidStartTime()) && !Libc.awaitReadable(pidfd, 20_000)) {
          LOG.warn("container init {} did not exit within 20 s of SIGKILL", r.pid());
        }
      } catch (SysException e) {
        LOG.debug("wait for the exit of {} through its pidfd: {}", r.pid(), e.getMessage());
        pollUntilGone(r);
      } finally {
        Libc.close(pidfd);
      }
      try {
        Libc.wait4(r.pid(), Libc.WNOHANG); // our child (the library's create): no zombie left
      } catch (SysException e) {
        // ECHILD: not our child
      }
      return;
    }
    pollUntilGone(r); // ESRCH: gone already; or no pidfd_open (before Linux 5.3)
  }

  private static void pollUntilGone(ContainerRecord r) {
    for (int i = 0; i < 2000; i++) {
      try {
        int[] st = Libc.wait4(r.pid(), Libc.WNOHANG);
        if (st[0] == r.pid()) return;
      } catch (SysException e) {
        // ECHILD: not our child; watch /proc instead
      }
      if (!ProcStat.isAlive(r.pid(), r.pidStartTime())) return;
      try {
        Thread.sleep(i < 100 ? 1 : 10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    LOG.warn("container init {} did not exit within 20 s of SIGKILL", r.pid());
  }
}
