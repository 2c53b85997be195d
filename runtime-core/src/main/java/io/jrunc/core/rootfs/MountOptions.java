package io.jrunc.core.rootfs;

import static io.jrunc.core.sys.Mount.*;
import static io.jrunc.core.sys.Open.*;
import static io.jrunc.core.sys.Stat.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A mount's {@code options}, parsed with the same table runc uses (libcontainer/specconv
 * {@code parseMountOptions}): mount(2) flags to set or clear, propagation changes, recursive
 * attributes (the {@code r*} forms, applied with {@code mount_setattr(AT_RECURSIVE)}), the
 * extensions {@code tmpcopyup}/{@code idmap}/{@code ridmap}, and everything else as
 * filesystem data ({@code size=64m}, {@code mode=755}, {@code newinstance}, ...).
 *
 * @param flags MS_* bits requested
 * @param clearFlags MS_* bits explicitly cleared ({@code rw}, {@code suid}, {@code dev}, ...)
 * @param propagation MS_SHARED/SLAVE/PRIVATE/UNBINDABLE, each possibly with MS_REC, in order
 * @param recSet MOUNT_ATTR_* bits to set recursively
 * @param recClr MOUNT_ATTR_* bits to clear recursively
 * @param data filesystem options in order
 */
record MountOptions(long flags, long clearFlags, List<Long> propagation, long recSet, long recClr,
    List<String> data, boolean tmpcopyup, boolean idmap, boolean ridmap) {

  private record F(boolean clear, long flag) {}

  /** Whether a filesystem option starts with {@code prefix} ("mode=", "context="). */
  boolean dataStartsWith(String prefix) {
    for (String d : data) if (d.startsWith(prefix)) return true;
    return false;
  }

  private static final Map<String, F> FLAGS = Map.ofEntries(
      Map.entry("acl", new F(false, MS_POSIXACL)),
      Map.entry("async", new F(true, MS_SYNCHRONOUS)),
      Map.entry("atime", new F(true, MS_NOATIME)),
      Map.entry("bind", new F(false, MS_BIND)),
      Map.entry("defaults", new F(false, 0)),
      Map.entry("dev", new F(true, MS_NODEV)),
      Map.entry("diratime", new F(true, MS_NODIRATIME)),
      Map.entry("dirsync", new F(false, MS_DIRSYNC)),
      Map.entry("exec", new F(true, MS_NOEXEC)),
      Map.entry("iversion", new F(false, MS_I_VERSION)),
      Map.entry("lazytime", new F(false, MS_LAZYTIME)),
      Map.entry("loud", new F(true, MS_SILENT)),
      Map.entry("mand", new F(false, MS_MANDLOCK)),
      Map.entry("noacl", new F(true, MS_POSIXACL)),
      Map.entry("noatime", new F(false, MS_NOATIME)),
      Map.entry("nodev", new F(false, MS_NODEV)),
      Map.entry("nodiratime", new F(false, MS_NODIRATIME)),
      Map.entry("noexec", new F(false, MS_NOEXEC)),
      Map.entry("noiversion", new F(true, MS_I_VERSION)),
      Map.entry("nolazytime", new F(true, MS_LAZYTIME)),
      Map.entry("nomand", new F(true, MS_MANDLOCK)),
      Map.entry("norelatime", new F(true, MS_RELATIME)),
      Map.entry("nostrictatime", new F(true, MS_STRICTATIME)),
      Map.entry("nosuid", new F(false, MS_NOSUID)),
      Map.entry("nosymfollow", new F(false, MS_NOSYMFOLLOW)),
      Map.entry("rbind", new F(false, MS_BIND | MS_REC)),
      Map.entry("relatime", new F(false, MS_RELATIME)),
      Map.entry("remount", new F(false, MS_REMOUNT)),
      Map.entry("ro", new F(false, MS_RDONLY)),
      Map.entry("rw", new F(true, MS_RDONLY)),
      Map.entry("silent", new F(false, MS_SILENT)),
      Map.entry("strictatime", new F(false, MS_STRICTATIME)),
      Map.entry("suid", new F(true, MS_NOSUID)),
      Map.entry("symfollow", new F(true, MS_NOSYMFOLLOW)), // runc's; features reported it, the parser passed it as data
      Map.entry("sync", new F(false, MS_SYNCHRONOUS)));

  private static final Map<String, Long> PROPAGATION = Map.of(
      "private", MS_PRIVATE, "rprivate", MS_PRIVATE | MS_REC,
      "shared", MS_SHARED, "rshared", MS_SHARED | MS_REC,
      "slave", MS_SLAVE, "rslave", MS_SLAVE | MS_REC,
      "unbindable", MS_UNBINDABLE, "runbindable", MS_UNBINDABLE | MS_REC);

  private static final Map<String, F> RECURSIVE = Map.ofEntries(
      Map.entry("rro", new F(false, MOUNT_ATTR_RDONLY)),
      Map.entry("rrw", new F(true, MOUNT_ATTR_RDONLY)),
      Map.entry("rnosuid", new F(false, MOUNT_ATTR_NOSUID)),
      Map.entry("rsuid", new F(true, MOUNT_ATTR_NOSUID)),
      Map.entry("rnodev", new F(false, MOUNT_ATTR_NODEV)),
      Map.entry("rdev", new F(true, MOUNT_ATTR_NODEV)),
      Map.entry("rnoexec", new F(false, MOUNT_ATTR_NOEXEC)),
      Map.entry("rexec", new F(true, MOUNT_ATTR_NOEXEC)),
      Map.entry("rnodiratime", new F(false, MOUNT_ATTR_NODIRATIME)),
      Map.entry("rdiratime", new F(true, MOUNT_ATTR_NODIRATIME)),
      Map.entry("rrelatime", new F(false, MOUNT_ATTR_RELATIME)),
      Map.entry("rnorelatime", new F(true, MOUNT_ATTR_RELATIME)),
      Map.entry("rnoatime", new F(false, MOUNT_ATTR_NOATIME)),
      Map.entry("ratime", new F(true, MOUNT_ATTR_NOATIME)),
      Map.entry("rstrictatime", new F(false, MOUNT_ATTR_STRICTATIME)),
      Map.entry("rnostrictatime", new F(true, MOUNT_ATTR_STRICTATIME)),
      Map.entry("rnosymfollow", new F(false, MOUNT_ATTR_NOSYMFOLLOW)),
      Map.entry("rsymfollow", new F(true, MOUNT_ATTR_NOSYMFOLLOW)));

  /** Parses {@code options} (may be null). Later options override earlier ones, as in runc. */
  static MountOptions parse(List<String> options) {
    if (options == null) return NONE;
    MountOptions known = PARSED.get(options);
    if (known != null) return known;
    MountOptions o = parseNew(options);
    if (options.size() > KEPT_OPTIONS) return o;
    int chars = 0;
    for (String s : options) {
      if (s == null) return o; // (List.copyOf takes no null)
      chars += s.length();
    }
    if (chars <= KEPT_CHARS && PARSED.size() < PARSED_MAX) PARSED.putIfAbsent(List.copyOf(options), o);
    return o;
  }

  /**
   * The largest list kept: a real mount's options are a few short words, and a config that
   * makes up long lists must not leave them in a long-lived JVM (at most 256 x 1 KiB here).
   */
  private static final int KEPT_OPTIONS = 32, KEPT_CHARS = 1024;

  /** No options at all. */
  private static final MountOptions NONE = parseNew(null);

  /**
   * The option lists parsed before, each with its (immutable) result: an engine gives every
   * container the same few (its default mounts'), and planning parses each mount's twice (rules,
   * then the plan). The parse is a string switch and three map look-ups per option, which C2
   * compiled at ~140 ms in a warm JVM's first few hundred creates; a look-up of the list is a
   * hash of its strings' cached hashes. At most {@link #PARSED_MAX} lists, each of at most
   * {@link #KEPT_OPTIONS} options and {@link #KEPT_CHARS} characters: past them (a config that
   * makes up options per mount), parses are not kept.
   */
  private static final java.util.concurrent.ConcurrentHashMap<List<String>, MountOptions> PARSED =
      new java.util.concurrent.ConcurrentHashMap<>();

  static final int PARSED_MAX = 256;

  /** How many lists are kept (for tests). */
  static int keptLists() {
    return PARSED.size();
  }

  private static MountOptions parseNew(List<String> options) {
    long flags = 0, clear = 0, recSet = 0, recClr = 0;
    List<Long> prop = new ArrayList<>();
    List<String> data = new ArrayList<>();
    boolean tmpcopyup = false, idmap = false, ridmap = false;
    if (options != null) {
      for (String o : options) {
        if (o == null) continue;
        F f = FLAGS.get(o);
        if (f != null) {
          if (f.clear) {
            flags &= ~f.flag;
            clear |= f.flag;
          } else {
            flags |= f.flag;
            clear &= ~f.flag;
          }
          continue;
        }
        Long p = PROPAGATION.get(o);
        if (p != null) {
          prop.add(p);
          continue;
        }
        F r = RECURSIVE.get(o);
        if (r != null) {
          if (o.contains("atime") && !o.contains("diratime")) {
            // The atime mode is one 3-bit field: the kernel wants all of MOUNT_ATTR__ATIME in
            // attr_clr and at most one mode in attr_set (clearing a mode = back to relatime).
            recClr |= MOUNT_ATTR__ATIME;
            recSet = (recSet & ~MOUNT_ATTR__ATIME) | (r.clear ? 0 : r.flag);
          } else if (r.clear) {
            recClr |= r.flag;
            recSet &= ~r.flag;
          } else {
            recSet |= r.flag;
            recClr &= ~r.flag;
          }
          continue;
        }
        switch (o) {
          case "tmpcopyup" -> tmpcopyup = true;
          case "idmap" -> idmap = true;
          case "ridmap" -> ridmap = true;
          default -> data.add(o);
        }
      }
    }
    return new MountOptions(flags, clear, List.copyOf(prop), recSet, recClr, List.copyOf(data),
        tmpcopyup, idmap, ridmap);
  }

  boolean has(long flag) {
    return (flags & flag) == flag;
  }

  boolean isBind() {
    return has(MS_BIND);
  }

  boolean isRecursiveBind() {
    return has(MS_BIND | MS_REC);
  }

  /** The per-mount attributes (fsmount/mount_setattr) that {@link #flags} ask for. */
  long attrSet() {
    long a = 0;
    if (has(MS_RDONLY)) a |= MOUNT_ATTR_RDONLY;
    if (has(MS_NOSUID)) a |= MOUNT_ATTR_NOSUID;
    if (has(MS_NODEV)) a |= MOUNT_ATTR_NODEV;
    if (has(MS_NOEXEC)) a |= MOUNT_ATTR_NOEXEC;
    if (has(MS_NODIRATIME)) a |= MOUNT_ATTR_NODIRATIME;
    if (has(MS_NOSYMFOLLOW)) a |= MOUNT_ATTR_NOSYMFOLLOW;
    if (has(MS_STRICTATIME)) a |= MOUNT_ATTR_STRICTATIME;
    else if (has(MS_NOATIME)) a |= MOUNT_ATTR_NOATIME;
    return a;
  }

  /** The per-mount attributes the options explicitly clear (or an atime mode they replace). */
  long attrClr() {
    long a = 0;
    if ((clearFlags & MS_RDONLY) != 0) a |= MOUNT_ATTR_RDONLY;
    if ((clearFlags & MS_NOSUID) != 0) a |= MOUNT_ATTR_NOSUID;
    if ((clearFlags & MS_NODEV) != 0) a |= MOUNT_ATTR_NODEV;
    if ((clearFlags & MS_NOEXEC) != 0) a |= MOUNT_ATTR_NOEXEC;
    if ((clearFlags & MS_NODIRATIME) != 0) a |= MOUNT_ATTR_NODIRATIME;
    if ((clearFlags & MS_NOSYMFOLLOW) != 0) a |= MOUNT_ATTR_NOSYMFOLLOW;
    if ((flags & (MS_RELATIME | MS_NOATIME | MS_STRICTATIME)) != 0) a |= MOUNT_ATTR__ATIME;
    return a;
  }

  /**
   * Superblock flags that the new mount API takes as {@code fsconfig(FSCONFIG_SET_FLAG)} keys
   * (fs/fs_context.c: common_set_sb_flag / common_clear_sb_flag).
   */
  List<String> superblockFlags() {
    List<String> l = new ArrayList<>();
    if (has(MS_RDONLY)) l.add("ro");
    if (has(MS_SYNCHRONOUS)) l.add("sync");
    if (has(MS_DIRSYNC)) l.add("dirsync");
    if (has(MS_MANDLOCK)) l.add("mand");
    if (has(MS_LAZYTIME)) l.add("lazytime");
    if (has(MS_POSIXACL)) l.add("posixacl");
    if (has(MS_I_VERSION)) l.add("iversion");
    return l;
  }
}
