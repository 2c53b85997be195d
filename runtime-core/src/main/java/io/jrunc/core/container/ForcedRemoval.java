package io.jrunc.core.container;

import io.jrunc.core.cgroup.CgroupConfig;
import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.cgroup.CgroupManager;
import io.jrunc.core.cgroup.Cgroups;
import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.InvalidStateFailure;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.log.Logs;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.MalformedRecordException;
import io.jrunc.core.state.ProcStat;
import io.jrunc.core.state.StateStore;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Signal;
import io.jrunc.spec.Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * {@code delete --force} of a container whose state.json is malformed. Removing the record
 * alone would leave the container running with nothing that names it, so its processes are
 * found by what can still be trusted, killed, and only then is anything removed.
 *
 * <table>
 *   <caption>What identifies the container's processes, in order</caption>
 *   <tr><th>source</th><th>used when</th><th>what is done</th></tr>
 *   <tr><td>the record's {@code pid} and {@code pidStartTime}</td><td>both fields are
 *       well-formed and that pid still has that start time</td><td>SIGKILL as {@link
 *       InitSignals} sends it (the start time checked right before kill(2))</td></tr>
 *   <tr><td>the record's {@code cgroup}</td><td>well-formed and re-opens</td><td>every process
 *       in the cgroup is killed (thawed first), then the cgroup is removed</td></tr>
 *   <tr><td>the state directory's config.json ({@code linux.cgroupsPath}, or the id)</td><td>the
 *       record's cgroup is unreadable, and that cgroup exists</td><td>the same</td></tr>
 * </table>
 *
 * A cgroup that holds this very process is refused (a corrupt path could name the root or
 * the runtime's own cgroup). When neither a live-or-dead init nor a cgroup can be
 * identified, nothing is removed and the error says why.
 */
final class ForcedRemoval {
  private static final Logger LOG = Logs.get(ForcedRemoval.class);

  private ForcedRemoval() {}

  /**
   * Kills and removes container {@code id}, under its lock.
   *
   * @return false when the record reads well-formed after all (rewritten meanwhile): the
   *     caller deletes it the ordinary way
   */
  static boolean run(StateStore store, String id) throws ContainerFailure {
    try (StateStore.Lock lock = store.lock(id)) {
      MalformedRecordException bad;
      try {
        store.readRecord(id);
        return false;
      } catch (MalformedRecordException e) {
        bad = e;
      }
      ContainerRecord r = bad.salvage();
      boolean pidKnown = bad.readable("pid") && bad.readable("pidStartTime") && r.pid() > 0;
      List<String> notes = new ArrayList<>();
      CgroupManager cg = fromRecord(bad, notes);
      if (cg == null) cg = fromConfig(store, id, bad, notes);
      if (cg == null && !pidKnown) {
        throw new SetupFailure("delete --force " + id + ": refused: " + bad.getMessage() + "; and nothing trustworthy"
            + " identifies its processes (" + String.join("; ", notes) + "): stop them and remove " + store.dir(id)
            + " by hand", 0, bad);
      }
      if (cg != null) checkNotOurs(cg, id);
      if (pidKnown) killInit(r);
      if (cg != null) {
        try {
          cg.destroy(); // kills every process left (thawing a frozen one), waits, removes the directories
        } catch (CgroupException e) {
          throw new SetupFailure("delete --force " + id + ": remove its cgroup: " + e.getMessage(), 0, e);
        }
      } else {
        if (ProcStat.isAlive(r.pid(), r.pidStartTime()) && !InitSignals.awaitExit(r)) {
          throw ContainerDelete.initSurvived(id, r.pid());
        }
        LOG.warn("container {}: its init is stopped but its cgroup cannot be identified ({}): it may be left behind",
            id, String.join("; ", notes));
      }
      LOG.warn("deleted container {} whose {}", id, bad.getMessage().replaceFirst("^state\\.json ", "state file "));
      store.remove(id);
      return true;
    } catch (IOException e) {
      throw new SetupFailure("delete " + id + ": " + e.getMessage(), 0, e);
    }
  }

  /** The cgroup the record names, when that field is well-formed; null otherwise. */
  private static CgroupManager fromRecord(MalformedRecordException bad, List<String> notes) {
    ContainerRecord r = bad.salvage();
    if (!bad.readable("cgroup") || r.cgroup() == null || r.cgroup().isEmpty()) {
      notes.add("the record's cgroup is unreadable");
      return null;
    }
    try {
      CgroupManager m = Cgroups.reopen(r.cgroup());
      if ("none".equals(m.driver())) {
        notes.add("the record says it has no cgroup");
        return null;
      }
      return m;
    } catch (CgroupException | RuntimeException e) {
      notes.add("the record's cgroup does not re-open: " + e.getMessage());
      return null;
    }
  }

  /**
   * The cgroup the state directory's config.json leads to (as create computed it), when it
   * exists; null otherwise.
   */
  private static CgroupManager fromConfig(StateStore store, String id, MalformedRecordException bad, List<String> notes) {
    ContainerRecord r = bad.salvage();
    Spec spec;
    try {
      spec = store.readConfig(id);
    } catch (java.nio.file.NoSuchFileException e) {
      notes.add("its config.json copy is missing");
      return null;
    } catch (IOException | RuntimeException e) {
      notes.add("its config.json copy cannot be read: " + e.getMessage());
      return null;
    }
    boolean systemd = bad.readable("systemdCgroup") && r.systemdCgroup();
    boolean rootless = bad.readable("rootless") ? r.rootless() : Libc.geteuid() != 0;
    try {
      CgroupManager m = Cgroups.create(new CgroupConfig(id, spec.linux() == null ? null : spec.linux().cgroupsPath(),
          null, systemd, rootless));
      if ("none".equals(m.driver())) {
        notes.add("no cgroup is permitted");
        return null;
      }
      for (String dir : m.paths().values()) {
        if (Files.isDirectory(Path.of(dir))) return m;
      }
      notes.add("the cgroup its config.json names does not exist");
      return null;
    } catch (CgroupException | RuntimeException e) {
      notes.add("its config.json names no usable cgroup: " + e.getMessage());
      return null;
    }
  }

  /** A cgroup that holds this very process is not the container's: killing it would kill us. */
  private static void checkNotOurs(CgroupManager cg, String id) throws SetupFailure {
    int self = (int) ProcessHandle.current().pid();
    try {
      if (cg.pids().contains(self)) {
        throw new SetupFailure("delete --force " + id + ": refused: the cgroup its record names (" + cg.paths().values()
            + ") holds jrunc itself, so it is not the container's", 0, null);
      }
    } catch (CgroupException e) {
      throw new SetupFailure("delete --force " + id + ": list the processes of its cgroup: " + e.getMessage(), 0, e);
    }
  }

  /**
   * SIGKILL to init as {@link InitSignals} sends it (the recorded start time checked first): an
   * init that is gone, or whose pid is another process's now, is no error here.
   */
  private static void killInit(ContainerRecord r) throws ContainerFailure {
    try {
      InitSignals.signalInit(r, Signal.SIGKILL);
    } catch (InvalidStateFailure gone) {
      // nothing of the container's left to kill at that pid
    }
  }
}
