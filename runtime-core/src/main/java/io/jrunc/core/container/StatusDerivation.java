package io.jrunc.core.container;

import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.cgroup.CgroupManager;
import io.jrunc.core.failure.Status;
import io.jrunc.core.log.Logs;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.ProcStat;
import io.jrunc.core.state.StateStore;
import java.nio.file.Files;

/**
 * A container's status, from its record and what the host shows now. Nothing is stored: a
 * status is derived at each command, as runc does, so a container whose init died while no
 * command ran is "stopped" at the next one.
 *
 * <table>
 *   <caption>The rule, first match wins</caption>
 *   <tr><th>what is seen</th><th>status</th></tr>
 *   <tr><td>the record has no pid yet</td><td>creating</td></tr>
 *   <tr><td>no process of that pid, a zombie, or one that started at another time (pid
 *       reused)</td><td>stopped</td></tr>
 *   <tr><td>the container's cgroup is frozen (not asked by kill; by start only when init may
 *       be frozen, see {@link Freezer})</td><td>paused</td></tr>
 *   <tr><td>the exec fifo is still in the state directory (start removes it)</td><td>created</td></tr>
 *   <tr><td>otherwise, also when the freezer cannot be read</td><td>running</td></tr>
 * </table>
 *
 * The freezer comes before the fifo, as in runc: a created container can be paused (runc and
 * jrunc allow it), and it is then "paused" for state, resume and delete. Asked after the fifo,
 * it read as created: resume refused it ("not paused"), and delete --force, which thaws only a
 * paused container, sent SIGKILL to a frozen init, waited 20 s for it and left it and its cgroup
 * behind (ConcurrentVerbsTest found it: a pause that ran before the start).
 */
final class StatusDerivation {
  private StatusDerivation() {}

  /** What the rule asks of the host, in its order: later questions are not asked when an earlier one decides. */
  interface Probe {
    /** proc(5) {@code /proc/<pid>/stat} of {@code pid}, or null when there is no such process. */
    ProcStat.Sample stat(int pid);

    /** Whether the container's exec fifo still exists. */
    boolean fifoPresent(String id);

    /** Whether the container's cgroup is frozen; false when it has none of its own. */
    boolean frozen(ContainerRecord r) throws CgroupException;
  }

  static Status derive(ContainerRecord r, Probe host) {
    return derive(r, host, Freezer.ASK);
  }

  /** When the rule asks the freezer. */
  enum Freezer {
    /** Always: state, pause, resume, delete, exec. */
    ASK,
    /** Never (a paused container is then running or created): kill, which treats them alike. */
    SKIP,
    /**
     * Only where a frozen init can be told apart cheaply: start, and kill's SIGKILL on v1 (which
     * thaws a frozen one after it), for which re-opening the cgroup to read its freezer cost ~1.1 ms. A v1 freezer's frozen task shows as 'D' in /proc (the
     * kernel reports frozen tasks as uninterruptible), and a created init waits on its fifo
     * interruptibly ('S'): on v1 only a 'D' init is asked about. A v2 freezer's tasks sleep
     * interruptibly while frozen, so there it is always asked.
     */
    IF_INIT_MAY_BE_FROZEN
  }

  /** The rule, asking the freezer as {@code freezer} says (a question not asked is "not frozen"). */
  static Status derive(ContainerRecord r, Probe host, Freezer freezer) {
    if (r.pid() == 0) return Status.CREATING;
    ProcStat.Sample init = host.stat(r.pid());
    if (!ProcStat.isAlive(init, r.pidStartTime())) return Status.STOPPED;
    if (freezer == Freezer.ASK || freezer == Freezer.IF_INIT_MAY_BE_FROZEN && (init.state() == 'D' || !v1Freezer(r))) {
      try {
        if (host.frozen(r)) return Status.PAUSED;
      } catch (CgroupException e) {
        // the logger only here, not in a static field: every command derives a status, and the
        // first getLogger of a JVM bootstraps SLF4J
        Logs.get(StatusDerivation.class).debug("read the freezer state of {}: {}", r.id(), e.getMessage());
      }
    }
    return host.fifoPresent(r.id()) ? Status.CREATED : Status.RUNNING;
  }

  /** Whether the record's cgroup has a v1 freezer (a v1 or hybrid layout). */
  static boolean v1Freezer(ContainerRecord r) {
    String layout = r.cgroup() == null ? null : r.cgroup().get("layout");
    return "V1".equals(layout) || "HYBRID".equals(layout);
  }

  /** The real host: /proc, the state directory, the cgroup re-opened from the record. */
  static Probe host(StateStore store) {
    return new Probe() {
      @Override
      public ProcStat.Sample stat(int pid) {
        return ProcStat.sample(pid);
      }

      @Override
      public boolean fifoPresent(String id) {
        return Files.exists(store.dir(id).resolve(Lifecycle.FIFO));
      }

      @Override
      public boolean frozen(ContainerRecord r) throws CgroupException {
        CgroupManager cg = ContainerCgroups.cgroupOf(r);
        return cg != null && cg.isFrozen();
      }
    };
  }
}
