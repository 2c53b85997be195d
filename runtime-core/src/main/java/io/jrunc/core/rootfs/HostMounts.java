package io.jrunc.core.rootfs;

import io.jrunc.core.sys.MountTable;
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
    String text;
    try {
      text = MountTable.text();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("read /proc/self/mountinfo: " + e.getMessage(), e);
    }
    Parsed p = last;
    if (p != null && p.text == text) return p.mounts; // the same text MountTable kept: parsed already
    HostMounts m = parse(text);
    last = new Parsed(text, m);
    return m;
  }

  /** A text and its parse. */
  private record Parsed(String text, HostMounts mounts) {}

  /** The last text {@link #read} parsed (by identity: MountTable hands out the text it kept). */
  private static volatile Parsed last;

  /** Parses mountinfo text: {@code id parent maj:min root mountpoint opts [optional...] - type source superopts}. */
  static HostMounts parse(String text) {
    // by index, not split: a host has tens of mounts (a container host hundreds) of ~11 fields
    // each, and every cold create parses them interpreted; only five fields are kept
    List<Entry> l = new ArrayList<>();
    int n = text.length();
    for (int start = 0; start < n; ) {
      int eol = text.indexOf('\n', start);
      if (eol < 0) eol = n;
      Entry e = line(text, start, eol);
      if (e != null) l.add(e);
      start = eol + 1;
    }
    return new HostMounts(List.copyOf(l));
  }

  /** The line {@code t[from, to)}, or null when it lacks a field a mountinfo line has. */
  private static Entry line(String t, int from, int to) {
    int s3 = from;
    for (int k = 0; k < 3; k++) { // past id, parent and maj:min
      s3 = t.indexOf(' ', s3);
      if (s3 < 0 || s3 >= to) return null;
      s3++;
    }
    int e3 = end(t, s3, to), e4 = end(t, e3 + 1, to), e5 = end(t, e4 + 1, to);
    if (e5 >= to) return null;
    // the optional fields (shared:N, master:N, ...) end at a lone "-"
    int dash = t.indexOf(" - ", e5);
    if (dash < 0 || dash + 3 > to) return null;
    int s7 = dash + 3, e7 = end(t, s7, to), e8 = end(t, e7 + 1, to);
    if (e8 >= to) return null;
    return new Entry(unescape(t.substring(e3 + 1, e4)), t.substring(s7, e7), t.substring(e4 + 1, e5),
        t.substring(e8 + 1, end(t, e8 + 1, to)), unescape(t.substring(s3, e3)));
  }

  /** Where the field starting at {@code from} ends: the next space, or {@code to}. */
  private static int end(String t, int from, int to) {
    if (from > to) return to;
    int e = t.indexOf(' ', from);
    return e < 0 || e > to ? to : e;
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
    for (Entry e : entries) if (e.mountPoint.equals("/sys/fs/cgroup") && e.fsType.equals("cgroup2")) return true;
    return false;
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
