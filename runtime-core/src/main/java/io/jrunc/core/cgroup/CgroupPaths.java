package io.jrunc.core.cgroup;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a container's cgroup goes, runc's rules (libcontainer/cgroups/fs/paths.go and
 * fs2/defaultpath.go):
 *
 * <table>
 * <caption>cgroupsPath resolution (cgroupfs drivers)</caption>
 * <tr><th>linux.cgroupsPath</th><th>v1 / hybrid, per hierarchy</th><th>v2</th></tr>
 * <tr><td>absolute {@code /a/b}</td><td>{@code <mount>/a/b}</td><td>{@code <root>/a/b}</td></tr>
 * <tr><td>relative {@code a/b}</td><td>{@code <mount>/<own cgroup in that hierarchy>/a/b}</td>
 *     <td>{@code <root>/<parent of own cgroup>/a/b} (the own cgroup holds processes, so no
 *     controllers could be enabled below it)</td></tr>
 * <tr><td>absent</td><td colspan="2">as relative {@code <container id>}</td></tr>
 * </table>
 *
 * Paths are cleaned as if rooted ({@code ../../etc} becomes {@code etc}): the config never
 * reaches outside the hierarchy.
 */
public final class CgroupPaths {
  private CgroupPaths() {}

  /** The cleaned inner path: absolute stays absolute, relative stays relative, no "..", no "//". */
  public static String clean(String p) {
    if (p == null || p.isEmpty()) return "";
    boolean abs = p.startsWith("/");
    String n = Path.of("/").resolve(p).normalize().toString();
    // Path.normalize keeps a leading ".." on an absolute path at the root away: "/.." -> "/"
    while (n.startsWith("/..")) n = n.substring(3).isEmpty() ? "/" : n.substring(3);
    if (abs) return n;
    return n.equals("/") ? "" : n.substring(1);
  }

  /** The inner path for a config: {@code cgroupsPath} cleaned, or the container id (relative). */
  public static String inner(String cgroupsPath, String id) throws CgroupException {
    String c = clean(cgroupsPath);
    if (!c.isEmpty() && !c.equals("/")) return c;
    if (c.equals("/")) throw new CgroupException("linux.cgroupsPath: \"" + cgroupsPath + "\" is the root cgroup; a container needs a cgroup of its own");
    String id2 = clean(id);
    if (id2.isEmpty()) throw new CgroupException("container id \"" + id + "\" cannot name a cgroup");
    return id2;
  }

  /** v1 / hybrid: one directory per hierarchy key (controller or name=...), plus "unified" on hybrid. */
  public static Map<String, Path> v1(CgroupMounts m, Map<String, String> self, String inner) {
    Map<String, Path> out = new LinkedHashMap<>();
    for (var e : m.v1().entrySet()) {
      CgroupMounts.Hierarchy h = e.getValue();
      out.put(e.getKey(), resolve(h.mountPoint(), h.root(), self.get(e.getKey()), inner, false));
    }
    if (m.layout() == Layout.HYBRID && m.unified() != null) {
      out.put(UNIFIED, resolve(m.unified(), m.unifiedRoot(), self.get(""), inner, false));
    }
    return out;
  }

  /** The hybrid layout's cgroup2 hierarchy key in {@link #v1}'s map. */
  public static final String UNIFIED = "unified";

  /** v2: the one directory. */
  public static Path v2(CgroupMounts m, Map<String, String> self, String inner) {
    return resolve(m.unified(), m.unifiedRoot(), self.get(""), inner, true);
  }

  /**
   * The directories of the cgroup a process is in ({@code self} from its /proc/PID/cgroup), one per
   * hierarchy ({@link #v1}'s keys; {@code ""} for v2). A rootless container without a cgroup of its
   * own runs in its runtime's cgroup: runc's getCgroupMounts binds exactly these for a cgroup mount.
   */
  public static Map<String, Path> own(CgroupMounts m, Map<String, String> self) {
    if (m.layout() != Layout.V2) return v1(m, self, "");
    Map<String, Path> out = new LinkedHashMap<>();
    out.put("", resolve(m.unified(), m.unifiedRoot(), self.get(""), "", false));
    return out;
  }

  /**
   * The v2 directory of a process whose {@code /proc/PID/cgroup} says {@code procPath} for the
   * unified hierarchy ("0::" line), under this host's cgroup2 mount.
   */
  public static Path v2DirOf(CgroupMounts m, String procPath) {
    return resolve(m.unified(), m.unifiedRoot(), procPath, "", false);
  }

  private static Path resolve(Path mount, String mountRoot, String own, String inner, boolean parentOfOwn) {
    if (inner.startsWith("/")) return under(mount, inner);
    String o = own == null ? "/" : own;
    // /proc/self/cgroup paths are relative to the hierarchy's root; the mount shows mountRoot
    String rel = o;
    if (mountRoot != null && !mountRoot.equals("/") && (o.equals(mountRoot) || o.startsWith(mountRoot + "/"))) {
      rel = o.substring(mountRoot.length());
      if (rel.isEmpty()) rel = "/";
    }
    if (parentOfOwn && !rel.equals("/")) {
      Path parent = Path.of(rel).getParent();
      rel = parent == null ? "/" : parent.toString();
    }
    return under(under(mount, rel), inner);
  }

  private static Path under(Path base, String p) {
    String s = p.startsWith("/") ? p.substring(1) : p;
    return s.isEmpty() ? base : base.resolve(s).normalize();
  }
}
