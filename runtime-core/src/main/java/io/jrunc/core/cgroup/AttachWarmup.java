package io.jrunc.core.cgroup;

import io.jrunc.core.sys.CgroupIo;
import io.jrunc.core.sys.SysException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Takes the wait out of the first {@code cgroup.procs} write of a create (v1 and hybrid, where
 * the init is moved by {@link CgroupManager#addProcess} after the clone).
 *
 * <p>Why: every migration through {@code cgroup.procs} write-locks the kernel's
 * {@code cgroup_threadgroup_rwsem}, a per-CPU rw-semaphore whose writer side waits for an RCU
 * grace period ({@code rcu_sync_enter}) unless another writer passed within about one grace
 * period before. Measured on this host (6.18, HZ 250, lazy RCU): the first write 8-17 ms, the
 * nine that follow 0.05 ms each, and again 8-17 ms when the last write is 20 ms or more old.
 * runc pays the same wait; here it would come right after the clone, with nothing else to do.
 *
 * <p>What: a daemon thread writes this process's own pid into the {@code cgroup.procs} of a
 * hierarchy whose mount shows the cgroup this process is already in (a migration to where it is:
 * the kernel moves nothing, but takes the lock and waits the grace period), while create goes on
 * planning and compiling, and repeats that every few milliseconds until {@link #close()}, so the
 * lock stays cheap until the real writes. No cgroup is changed; a failed write only ends the
 * warm-up (the real write then waits, as before). The kernel holds {@code cgroup_mutex} during
 * that wait, so mkdir and writes in cgroupfs block meanwhile: start it after the container's
 * directories and limits are made.
 */
public final class AttachWarmup implements AutoCloseable {
  /** Below the ~20 ms after which the kernel's rcu_sync falls back to idle. */
  private static final long KEEP_MS = 4;
  /** An upper bound, whatever happens to the caller. */
  private static final long LIMIT_NS = 2_000_000_000L;

  private volatile boolean stopped;

  private AttachWarmup() {}

  /**
   * The {@code cgroup.procs} this process may write its own pid to without moving: of a v1
   * hierarchy (else the v2 one) whose mount root is the cgroup {@code /proc/self/cgroup} names.
   * Null when there is none (this process in a cgroup below every mount's root).
   */
  public static Path ownProcs(CgroupMounts m, Map<String, String> self) {
    for (CgroupMounts.Hierarchy h : m.v1().values()) {
      for (String c : h.controllers()) {
        String mine = self.get(c);
        if (mine != null && mine.equals(h.root())) return h.mountPoint().resolve("cgroup.procs");
      }
    }
    String mine = self.get("");
    if (m.unified() != null && mine != null && mine.equals(m.unifiedRoot())) return m.unified().resolve("cgroup.procs");
    return null;
  }

  /** Starts warming through {@code procs}; close it once the real writes are done. */
  public static AttachWarmup start(Path procs) {
    AttachWarmup w = new AttachWarmup();
    String file = procs.toString();
    String pid = Long.toString(ProcessHandle.current().pid());
    Thread t = new Thread(() -> w.run(file, pid), "jrunc-cgroup-warmup");
    t.setDaemon(true);
    t.start();
    return w;
  }

  private void run(String file, String pid) {
    long end = System.nanoTime() + LIMIT_NS;
    try {
      while (!stopped && System.nanoTime() < end) {
        CgroupIo.write(file, pid);
        // parkNanos, not Thread.sleep: sleep's JFR event class is not in create's AOT cache
        LockSupport.parkNanos(KEEP_MS * 1_000_000L);
      }
    } catch (SysException e) {
      // not permitted (rootless, a read-only mount): the real writes simply wait
    }
  }

  @Override
  public void close() {
    stopped = true;
  }
}
