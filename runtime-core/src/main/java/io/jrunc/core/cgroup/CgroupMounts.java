package io.jrunc.core.cgroup;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The cgroup filesystems of a mount namespace, read from {@code /proc/self/mountinfo}
 * (proc(5): {@code id parent maj:min root mountpoint options [optional...] - fstype source superoptions}).
 *
 * <table>
 * <caption>Layout detection</caption>
 * <tr><th>mounts</th><th>layout</th></tr>
 * <tr><td>cgroup2 at the root (/sys/fs/cgroup)</td><td>{@link Layout#V2}</td></tr>
 * <tr><td>cgroup (v1) hierarchies and a cgroup2 mount elsewhere (…/unified)</td><td>{@link Layout#HYBRID}</td></tr>
 * <tr><td>cgroup (v1) hierarchies only</td><td>{@link Layout#V1}</td></tr>
 * </table>
 *
 * @param layout the detected layout
 * @param v1 controller (or {@code name=systemd}) to its hierarchy; co-mounted controllers share one
 * @param unified the cgroup2 mount (V2: the root; HYBRID: e.g. /sys/fs/cgroup/unified), or null
 * @param unifiedRoot the cgroup2 mount's root within the hierarchy ("/" unless in a cgroup namespace)
 */
public record CgroupMounts(Layout layout, Map<String, Hierarchy> v1, Path unified, String unifiedRoot) {

  /** One v1 hierarchy: where it is mounted and which cgroup the mount shows as its root. */
  public record Hierarchy(Path mountPoint, String root, Set<String> controllers) {}

  /** The v1 controllers the kernel knows (superoptions that are not controllers are skipped). */
  static final Set<String> V1_CONTROLLERS = Set.of("cpu", "cpuacct", "cpuset", "memory", "devices",
      "freezer", "net_cls", "net_prio", "blkio", "perf_event", "hugetlb", "pids", "rdma", "misc", "debug");

  public static CgroupMounts parse(String mountinfo, Path root) throws CgroupException {
    Map<String, Hierarchy> v1 = new LinkedHashMap<>();
    Path unified = null;
    String unifiedRoot = "/";
    boolean rootIsV2 = false;
    int n = mountinfo.length();
    for (int start = 0, eol; start < n; start = eol + 1) {
      eol = mountinfo.indexOf('\n', start);
      if (eol < 0) eol = n;
      // only cgroup lines are split into fields: a host has tens of other mounts (a container
      // host hundreds), and each create parses this table interpreted
      int dash = mountinfo.indexOf(" - ", start);
      if (dash < 0 || dash >= eol) continue;
      if (!mountinfo.startsWith("cgroup", dash + 3)) continue;
      String line = mountinfo.substring(start, eol);
      dash -= start;
      String[] pre = line.substring(0, dash).split(" ");
      String[] post = line.substring(dash + 3).split(" ");
      if (pre.length < 5 || post.length < 3) continue;
      String fstype = post[0];
      if (!fstype.equals("cgroup") && !fstype.equals("cgroup2")) continue;
      Path mp = Path.of(unescape(pre[4]));
      String mroot = unescape(pre[3]);
      if (fstype.equals("cgroup2")) {
        if (mp.equals(root)) {
          rootIsV2 = true;
          unified = mp;
          unifiedRoot = mroot;
        } else if (unified == null && mp.startsWith(root)) {
          unified = mp;
          unifiedRoot = mroot;
        }
        continue;
      }
      if (!mp.startsWith(root)) continue; // a hierarchy mounted elsewhere (e.g. inside a container we run)
      java.util.LinkedHashSet<String> ctrls = new java.util.LinkedHashSet<>();
      for (String opt : post[2].split(",")) {
        if (V1_CONTROLLERS.contains(opt) || opt.startsWith("name=")) ctrls.add(opt);
      }
      Hierarchy h = new Hierarchy(mp, mroot, Collections.unmodifiableSet(ctrls));
      for (String c : ctrls) v1.putIfAbsent(c, h);
    }
    if (rootIsV2) return new CgroupMounts(Layout.V2, Map.of(), unified, unifiedRoot);
    if (v1.isEmpty()) {
      if (unified != null) return new CgroupMounts(Layout.V2, Map.of(), unified, unifiedRoot);
      throw new CgroupException("no cgroup filesystem is mounted under " + root + " (see /proc/self/mountinfo)");
    }
    return new CgroupMounts(unified != null ? Layout.HYBRID : Layout.V1, Collections.unmodifiableMap(v1), unified, unifiedRoot);
  }

  /** mountinfo escapes space, tab, newline and backslash as octal ({@code \040}). */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) return s;
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && isOctal(s, i + 1)) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) return false;
    for (int i = from; i < from + 3; i++) if (s.charAt(i) < '0' || s.charAt(i) > '7') return false;
    return true;
  }

  /** Parses {@code /proc/<pid>/cgroup}: controller (or "" for the v2 line "0::/x") to the cgroup path. */
  public static Map<String, String> parseProcCgroup(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) continue;
      int a = line.indexOf(':');
      int b = line.indexOf(':', a + 1);
      if (a < 0 || b < 0) continue;
      String ctrls = line.substring(a + 1, b);
      String path = line.substring(b + 1);
      if (ctrls.isEmpty()) {
        out.put("", path);
      } else {
        for (String c : ctrls.split(",")) out.put(c, path);
      }
    }
    return out;
  }
}
