package io.jrunc.core.container;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.log.Logs;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.ProcStat;
import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.cgroup.CgroupManager;
import io.jrunc.core.cgroup.CgroupHost;
import io.jrunc.core.cgroup.CgroupMounts;
import io.jrunc.core.cgroup.CgroupPaths;
import io.jrunc.core.cgroup.Cgroups;
import io.jrunc.core.cgroup.Layout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/** A container's cgroup re-opened from its record, and its processes when it has none. */
final class ContainerCgroups {
  /**
   * Looked up where a line is written, not kept in a static field: state and kill load this
   * class on every call, and the first getLogger of a JVM bootstraps SLF4J. (Lifecycle's name,
   * as before the split.)
   */
  private static Logger log() {
    return Logs.get(Lifecycle.class);
  }

  private ContainerCgroups() {}

  /** Kills what is left in the container's cgroup and removes the directories we made. */
  static void destroyCgroup(ContainerRecord r) throws ContainerFailure {
    if (r.cgroup() == null || r.cgroup().isEmpty()) return;
    try {
      Cgroups.reopen(r.cgroup()).destroy();
    } catch (CgroupException e) {
      throw new SetupFailure("remove the cgroup of " + r.id() + ": " + e.getMessage(), 0, e);
    }
  }

  /**
   * The container's cgroup removed once its init is gone ({@code opened}: its manager when the
   * caller re-opened it already, else null): {@link CgroupManager#destroy}, but for a container
   * with a pid namespace of its own, whose processes all ended with its init, what is still in
   * the cgroup is another's and stays, with a warning ({@link CgroupManager#destroyUnlessShared};
   * runc, whose destroy then fails to remove it, logs an error and deletes the container).
   */
  static void removeCgroup(ContainerRecord r, CgroupManager opened) throws ContainerFailure {
    if (opened == null && (r.cgroup() == null || r.cgroup().isEmpty())) return;
    try {
      CgroupManager cg = opened != null ? opened : Cgroups.reopen(r.cgroup());
      if (!r.ownPidNamespace()) {
        cg.destroy();
        return;
      }
      List<Integer> left = cg.destroyUnlessShared();
      if (!left.isEmpty()) {
        boolean initLeft = left.contains(r.pid()) && ProcStat.isAlive(r.pid(), r.pidStartTime());
        log().warn(leftoverWarning(r.id(), r.pid(), initLeft, left));
      }
    } catch (CgroupException e) {
      throw new SetupFailure("remove the cgroup of " + r.id() + ": " + e.getMessage(), 0, e);
    }
  }

  /**
   * Why a container's cgroup stays. What is left is another container's, unless it is init
   * itself, still there after its SIGKILL: a task frozen by a freezer cgroup other than the
   * container's (crun's test suite, test_simple_delete, moves init into one) or in uninterruptible
   * sleep does not die until thawed or woken, and the other pids left are then its own.
   */
  static String leftoverWarning(String id, int init, boolean initLeft, List<Integer> left) {
    if (initLeft) {
      return "the cgroup of " + id + " is not removed: its init " + init + " has not exited after SIGKILL"
          + " (frozen by a freezer cgroup other than the container's, or in uninterruptible sleep?)"
          + (left.size() > 1 ? "; processes " + left + " are still in it" : "");
    }
    return "the cgroup of " + id + " is not removed: processes " + left + " are still in it, which are not the"
        + " container's (they outlived its pid namespace: another container's, sharing the cgroupsPath?)";
  }

  /** The container's cgroup manager, re-opened from its record; null when it has none. */
  static CgroupManager cgroupOf(ContainerRecord r) {
    if (r.cgroup() == null || r.cgroup().isEmpty()) return null;
    try {
      CgroupManager m = Cgroups.reopen(r.cgroup());
      // a rootless container whose cgroup was not permitted: kill/delete signal init, not a cgroup
      return "none".equals(m.driver()) ? null : m;
    } catch (CgroupException e) {
      log().debug("re-open the cgroup of {}: {}", r.id(), e.getMessage());
      return null;
    }
  }

  static CgroupManager requireCgroup(ContainerRecord r) throws ContainerFailure {
    CgroupManager cg = cgroupOf(r);
    if (cg == null) {
      throw new SetupFailure("container " + r.id() + " has no cgroup of its own"
          + (r.rootless() ? " (rootless: cgroup creation was not permitted)" : ""), 0, null);
    }
    return cg;
  }

  /**
   * Without a cgroup (rootless, not delegated) the container's processes are those in its own pid
   * namespace: every /proc/PID whose ns/pid is init's. Processes we may not inspect are not ours.
   */
  static List<Integer> inPidNamespaceOf(int init) {
    List<Integer> out = new ArrayList<>();
    Path ns = Path.of("/proc", Integer.toString(init), "ns", "pid");
    try (var dir = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
      for (Path p : dir) {
        try {
          if (Files.isSameFile(p.resolve("ns/pid"), ns)) out.add(Integer.parseInt(p.getFileName().toString()));
        } catch (IOException | SecurityException e) {
          // gone meanwhile, or not ours to see
        }
      }
    } catch (IOException e) {
      return List.of(init);
    }
    out.sort(null);
    return out.isEmpty() ? List.of(init) : out;
  }

  /** For a cgroup mount without a cgroup namespace: each hierarchy's directory of this container. */
  static Map<String, Path> cgroupDirs(CgroupManager cg) {
    Map<String, Path> dirs = new LinkedHashMap<>();
    Map<String, String> paths = new LinkedHashMap<>(cg.paths());
    if (paths.isEmpty()) {
      // rootless without a cgroup (not delegated): the container stays in ours, so that is what a
      // cgroup mount shows (runc binds /proc/self/cgroup's directories the same way)
      try {
        CgroupHost h = CgroupHost.current();
        CgroupPaths.own(h.mounts(), CgroupMounts.parseProcCgroup(h.selfCgroup()))
            .forEach((k, v) -> paths.put(k, v.toString()));
      } catch (CgroupException | java.io.UncheckedIOException e) {
        return dirs; // no cgroup mounts at all: RootfsSetup names the mount it cannot make
      }
    }
    // by string (the managers' paths are clean and absolute): no relativize per hierarchy
    String root = "/sys/fs/cgroup";
    boolean v2 = cg.layout() == Layout.V2;
    for (var e : paths.entrySet()) {
      String s = e.getValue();
      if (!s.startsWith(root) || (s.length() > root.length() && s.charAt(root.length()) != '/')) continue;
      String rest = s.length() > root.length() ? s.substring(root.length() + 1) : "";
      int slash = rest.indexOf('/');
      dirs.put(v2 ? "" : slash < 0 ? rest : rest.substring(0, slash), Path.of(s));
    }
    return dirs;
  }
}
