package io.jrunc.core.rootfs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The host's mount table as the parent sees it ({@code /proc/self/mountinfo}); the child's new
 * mount namespace starts as a copy of it. Used to find the cgroup hierarchies and the mount
 * that holds the rootfs.
 */
record HostMounts(List<Entry> entries) {

  /**
   * One mountinfo line: mount point (unescaped), fs type, per-mount options, super options, and
   * the root of the mount within its filesystem.
   */
  record Entry(String mountPoint, String fsType, String mountOptions, String superOptions, String root) {}

  static HostMounts read() {
    try {
      return parse(io.jrunc.core.sys.BoundedFile.readKernelFile(Path.of("/proc/self/mountinfo"), io.jrunc.core.sys.BoundedFile.KERNEL_LIMIT));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("read /proc/self/mountinfo: " + e.getMessage(), e);
    }
  }

  /** Parses mountinfo text: {@code id parent maj:min root mountpoint opts [optional...] - type source superopts}. */
  static HostMounts parse(String text) {
    List<Entry> l = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) continue;
      String[] f = line.split(" ");
      int dash = -1;
      for (int i = 6; i < f.length; i++) {
        if (f[i].equals("-")) {
          dash = i;
          break;
        }
      }
      if (dash < 0 || f.length < dash + 4) continue;
      l.add(new Entry(unescape(f[4]), f[dash + 1], f[5], f[dash + 3], unescape(f[3])));
    }
    return new HostMounts(List.copyOf(l));
  }

  /** mountinfo escapes space, tab, newline and backslash as {@code \ooo}. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) return s;
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()) {
        try {
          b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
          i += 3;
          continue;
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
          // not an escape: keep the backslash
        }
      }
      b.append(c);
    }
    return b.toString();
  }

  /**
   * Full procfs and sysfs mounts (their filesystem's root) outside {@code rootfs}: with
   * --no-pivot they stay in the container's mount namespace, and the kernel lets a process
   * there mount a new, unmasked procfs while one is fully visible (runc's msMoveRoot hides them).
   */
  List<String> fullProcAndSysfsOutside(Path rootfs) {
    List<String> l = new ArrayList<>();
    for (Entry e : entries) {
      if (!e.root().equals("/") || !(e.fsType().equals("proc") || e.fsType().equals("sysfs"))) continue;
      Path p = Path.of(e.mountPoint());
      if (p.startsWith(rootfs) || l.contains(e.mountPoint())) continue;
      l.add(e.mountPoint());
    }
    return l;
  }

  /** True when /sys/fs/cgroup itself is a cgroup2 mount (a pure cgroup v2 host). */
  boolean cgroup2Unified() {
    return entries.stream().anyMatch(e -> e.mountPoint.equals("/sys/fs/cgroup") && e.fsType.equals("cgroup2"));
  }

  /** The cgroup v1 hierarchies (and a hybrid host's "unified" cgroup2) mounted directly under /sys/fs/cgroup. */
  List<Entry> cgroupHierarchies() {
    List<Entry> l = new ArrayList<>();
    for (Entry e : entries) {
      if (!e.fsType.equals("cgroup") && !e.fsType.equals("cgroup2")) continue;
      // directly in /sys/fs/cgroup (the kernel's mount points are clean paths), once each
      String mp = e.mountPoint;
      if (!mp.startsWith(CGROUP_ROOT) || mp.length() == CGROUP_ROOT.length() || mp.indexOf('/', CGROUP_ROOT.length()) >= 0) {
        continue;
      }
      boolean seen = false;
      for (Entry x : l) seen |= x.mountPoint.equals(mp);
      if (!seen) l.add(e);
    }
    return l;
  }

  private static final String CGROUP_ROOT = "/sys/fs/cgroup/";

  /** The mount point of the mount that contains {@code path} (the last, i.e. topmost, longest match). */
  String mountPointOf(Path path) {
    String best = "/";
    String p = path.toString();
    for (Entry e : entries) {
      String mp = e.mountPoint;
      boolean under = mp.equals("/") || p.equals(mp) || p.startsWith(mp.endsWith("/") ? mp : mp + "/");
      if (under && mp.length() >= best.length()) best = mp;
    }
    return best;
  }
}
