package io.jrunc.core.rootfs;

import static io.jrunc.core.rootfs.RootfsRules.*;
import static io.jrunc.core.sys.Mount.*;
import static io.jrunc.core.sys.Open.*;
import static io.jrunc.core.sys.Stat.*;

import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.sys.MountAttr;
import io.jrunc.core.sys.OpenHow;
import io.jrunc.core.sys.Sys;
import java.nio.file.Path;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import io.jrunc.core.rootfs.RootfsSetup.Planned;

/** Pure helpers of the rootfs program: path components, openat2 and mount_attr arguments, option strings. */
final class MountSteps {
  private MountSteps() {}

  static String propName(long f) {
    String r = (f & MS_REC) != 0 ? "r" : "";
    if ((f & MS_SHARED) != 0) return r + "shared";
    if ((f & MS_SLAVE) != 0) return r + "slave";
    if ((f & MS_PRIVATE) != 0) return r + "private";
    return r + "unbindable";
  }

  /** A {@code struct mount_attr} in {@code b}'s memory (staged), its address. */
  static long mountAttr(ProgramBuilder b, long set, long clr, long propagation) {
    return b.stagedLongs(MountAttr.SIZE_VER0, MountAttr.FIELDS, MountAttr.fields(set, clr, propagation, 0));
  }

  /** A {@code struct open_how} in {@code b}'s memory (staged), its address. */
  static long openHow(ProgramBuilder b, long flags, long resolve) {
    return b.stagedLongs(OpenHow.SIZE_VER0, OpenHow.FIELDS, OpenHow.fields(flags, 0, resolve));
  }

  static Step openat2(ProgramBuilder b, Object dirfd, String rel, long flags, long resolve) {
    return b.call(Sys.OPENAT2, dirfd, rel.isEmpty() ? "." : rel, openHow(b, flags, resolve), OpenHow.SIZE_VER0);
  }

  /**
   * The path of the first {@code n} of {@code comps} under {@code base}, for a step's
   * description: joined only when the description is read (a failure), as a step's detail
   * (Step.describe): a default config's mkdirs describe ~60 steps with it, ~0.15 ms of strings in
   * a cold create. {@code comps} is a planned path's, never changed after planning.
   */
  static Object display(String base, List<String> comps, int n) {
    return n == 0 ? base : new Display(base, comps, n);
  }

  private record Display(String base, List<String> comps, int n) {
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder(base.length() + 16 * n);
      if (!base.equals("/")) b.append(base);
      for (int i = 0; i < n; i++) b.append('/').append(comps.get(i));
      return b.toString();
    }
  }

  /**
   * A mount's target was resolved in the parent (symlinks followed inside the rootfs, and
   * checked there): the child walks exactly that path, confined to the root and refusing any
   * symlink, so a rootfs changed since planning makes the step fail instead of redirecting it.
   */
  static final long RESOLVED = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS;

  /** A target inside procfs, sysfs or cgroupfs: the kernel's symlinks there are followed, inside the root. */
  static final long IN_KERNEL_FS = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

  /** What a failed open of the mount point of {@code m} adds: procfs and sysfs need an ordinary directory (runc's words). */
  static String why(Planned m) {
    return m.type().equals("proc") || m.type().equals("sysfs") ? " (must be mounted on ordinary directory)" : "";
  }

  /** runc labels every mount but proc, sysfs, binds and cgroups (selinux label.FormatMountLabel). */
  static boolean labelled(String fstype) {
    return !fstype.equals("proc") && !fstype.equals("sysfs") && !fstype.startsWith("cgroup");
  }

  /** Filesystem options, one fsconfig each: {@code key=value} a string, a bare word a flag. */
  static void fsOptions(ProgramBuilder b, Step fs, String what, List<String> data) {
    for (String d : data) {
      for (String opt : splitOptions(d)) {
        if (opt.isEmpty()) continue;
        int eq = opt.indexOf('=');
        if (eq < 0) {
          b.call(Sys.FSCONFIG, fs, FSCONFIG_SET_FLAG, opt, null, 0L).describe(what + ": option " + opt);
        } else {
          b.call(Sys.FSCONFIG, fs, FSCONFIG_SET_STRING, opt.substring(0, eq), opt.substring(eq + 1), 0L)
              .describe(what + ": option " + opt);
        }
      }
    }
  }

  /** Splits a data option at commas outside double quotes (SELinux contexts contain commas). */
  static List<String> splitOptions(String s) {
    List<String> l = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean q = false;
    for (char c : s.toCharArray()) {
      if (c == '"') q = !q;
      if (c == ',' && !q) {
        l.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    l.add(cur.toString());
    return l;
  }

  static MountOptions withFlags(MountOptions o, long f) {
    return new MountOptions(o.flags() | f, o.clearFlags(), o.propagation(), o.recSet(), o.recClr(), o.data(),
        o.tmpcopyup(), o.idmap(), o.ridmap());
  }

  static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p; // gone meanwhile: the child's open_tree reports it
    }
  }

  static Planned pseudoMountFor(List<Planned> mounts, String path, String type) {
    Planned best = null;
    for (Planned m : mounts) {
      if (!m.type().equals(type)) continue;
      String t = m.target();
      // under t: no t + "/" per mount (each masked and read-only path asks, ~100 strings a create)
      if (path.startsWith(t) && (path.length() == t.length() || path.charAt(t.length()) == '/')) {
        if (best == null || m.target().length() >= best.target().length()) best = m;
      }
    }
    return best;
  }

  /** Lexically cleans an absolute or relative (spec 1.2: relative to /) container path: {@code /a/./b/../c} is {@code /a/c}. */
  static String clean(String p) {
    if (isClean(p)) return p; // nearly every configured path: no list, no join
    List<String> c = comps(p);
    return "/" + join(c, c.size());
  }

  /** Absolute, no empty, "." or ".." component, no trailing slash ("/" itself is clean). */
  static boolean isClean(String p) {
    int n = p.length();
    if (n == 0 || p.charAt(0) != '/') return false;
    if (n == 1) return true;
    if (p.charAt(n - 1) == '/') return false;
    // component by component (i at its '/'), not character by character: planning checks every
    // path it meets, and a fresh JVM interprets this (each charAt is a chain of calls)
    for (int i = 0; i < n; ) {
      int end = p.indexOf('/', i + 1);
      if (end < 0) end = n;
      int len = end - i - 1;
      if (len == 0 || (len == 1 && p.charAt(i + 1) == '.') || (len == 2 && p.charAt(i + 1) == '.' && p.charAt(i + 2) == '.')) {
        return false;
      }
      i = end;
    }
    return true;
  }

  /** The components of {@code p} with "." and ".." applied lexically (".." stops at the top). */
  static List<String> comps(String p) {
    List<String> l = new ArrayList<>();
    int n = p.length();
    // split at each '/' in place (no regex split's array and list)
    for (int i = 0; i <= n; ) {
      int end = p.indexOf('/', i);
      if (end < 0) end = n;
      int len = end - i;
      if (len == 2 && p.charAt(i) == '.' && p.charAt(i + 1) == '.') {
        if (!l.isEmpty()) l.remove(l.size() - 1);
      } else if (len > 1 || (len == 1 && p.charAt(i) != '.')) {
        l.add(p.substring(i, end));
      }
      i = end + 1;
    }
    return l;
  }

  static String join(List<String> comps, int n) {
    if (n == 0) return "";
    if (n == 1) return comps.get(0);
    StringBuilder b = new StringBuilder(16 * n);
    for (int i = 0; i < n; i++) {
      if (i > 0) b.append('/');
      b.append(comps.get(i));
    }
    return b.toString();
  }
}
