package io.jrunc.core.cgroup;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * {@code exec --cgroup [controller[,controller]:]path}: the existing sub-cgroups of a
 * container's cgroup that an exec'd process runs in, as runc's {@code Process.SubCgroupPaths}
 * (containerd runs exec'd processes this way).
 *
 * <table>
 *   <caption>runc's rules</caption>
 *   <tr><th>given</th><th>result</th></tr>
 *   <tr><td>{@code path} (key "")</td><td>that path under the container's cgroup in every
 *       hierarchy (the only form on v2)</td></tr>
 *   <tr><td>{@code memory:path}</td><td>that hierarchy only; the others stay at the container's
 *       cgroup. A controller the container has no hierarchy for: {@code unknown controller X in
 *       SubCgroupPaths}</td></tr>
 *   <tr><td>{@code ..}, {@code a/../../b}</td><td>{@code bad sub cgroup path: .. is not a sub cgroup path}: the
 *       result must be the container's cgroup or below it (compared by path components, so a
 *       sibling {@code ctr-b} of {@code ctr} is outside too, as runc 1.3 checks)</td></tr>
 *   <tr><td>{@code /}</td><td>the container's cgroup itself</td></tr>
 *   <tr><td>a sub-cgroup that does not exist</td><td>an error when the pid is written (or the
 *       directory opened for CLONE_INTO_CGROUP): nothing is created</td></tr>
 * </table>
 *
 * <p>Co-mounted v1 controllers ({@code cpu,cpuacct}) share one directory: naming either moves
 * the process in that hierarchy; giving them different paths is an error (runc's result would
 * depend on its map order).
 */
public final class SubCgroups {
  private SubCgroups() {}

  /**
   * @param containerPaths hierarchy key → the container's directory ({@link CgroupManager#paths()})
   * @param sub controller → path relative to the container's cgroup ("" for every hierarchy)
   * @return hierarchy key → the directory the process joins, for every key of {@code containerPaths}
   * @throws CgroupException in runc's words for an escape or an unknown controller
   */
  public static Map<String, Path> resolve(Map<String, String> containerPaths, Map<String, String> sub)
      throws CgroupException {
    Map<Path, Path> byBase = new LinkedHashMap<>(); // the container's directory → the one to join
    Map<Path, String> named = new LinkedHashMap<>();
    for (var e : sub.entrySet()) {
      String ctrl = e.getKey();
      if (ctrl.isEmpty()) {
        for (String base : containerPaths.values()) override(byBase, named, Path.of(base), e.getValue(), "");
        continue;
      }
      String base = containerPaths.get(ctrl);
      if (base == null) throw new CgroupException("unknown controller " + ctrl + " in SubCgroupPaths");
      override(byBase, named, Path.of(base), e.getValue(), ctrl);
    }
    Map<String, Path> out = new LinkedHashMap<>();
    containerPaths.forEach((k, v) -> out.put(k, byBase.getOrDefault(Path.of(v), Path.of(v))));
    return out;
  }

  private static void override(Map<Path, Path> byBase, Map<Path, String> named, Path base, String add, String ctrl)
      throws CgroupException {
    // as Go's path.Join(base, add): add is relative even with a leading "/", ".." is resolved
    Path joined = Path.of(base + "/" + add).normalize();
    // both runcs' words: "bad sub cgroup path" (1.2 on), "<path> is not a sub cgroup path" (1.1)
    if (!joined.startsWith(base)) throw new CgroupException("bad sub cgroup path: " + add + " is not a sub cgroup path");
    Path before = byBase.putIfAbsent(base, joined);
    if (before != null && !before.equals(joined)) {
      throw new CgroupException("--cgroup: " + named.get(base) + " and " + ctrl + " share the hierarchy " + base
          + " but were given different sub-cgroups");
    }
    named.putIfAbsent(base, ctrl.isEmpty() ? "a path without controller" : ctrl);
  }

  /** Writes {@code pid} into each distinct directory's cgroup.procs (v1, hybrid, systemd). */
  public static void addProcess(Collection<Path> dirs, int pid) throws CgroupException {
    for (Path d : new LinkedHashSet<>(dirs)) FsSupport.addProcess(d, pid);
  }
}
