package io.jrunc.core.cgroup;

import io.jrunc.spec.LinuxDeviceCgroup;
import java.util.ArrayList;
import java.util.List;

/**
 * One device cgroup rule, normalised: type {@code a}/{@code c}/{@code b}, major/minor
 * {@value #ANY} for "*", access a non-empty subset of {@code rwm} in that order. Other access
 * letters (older configs carry {@code "rwa"}) are ignored with a warning, as runc ignores them;
 * this is the one place that decides it (the validator leaves access strings alone).
 */
public record DeviceRule(boolean allow, char type, long major, long minor, String access) {
  /**
   * Looked up where a line is written, not kept in a static field: create loads this class on
   * every call, and the first getLogger of a JVM bootstraps SLF4J (~0.7 ms of a cold create).
   */
  private static org.slf4j.Logger log() {
    return io.jrunc.core.log.Logs.get(DeviceRule.class);
  }
  public static final long ANY = -1;

  /** The v1 devices.allow / devices.deny line: {@code c 1:3 rwm}, {@code a *:* rwm}. */
  public String v1() {
    return node(major, minor) + " " + access;
  }

  /** Matches every device with every access: the rule that flips the default. */
  public boolean isWildcard() {
    return type == 'a' && major == ANY && minor == ANY && access.equals("rwm");
  }

  /** Validates and normalises {@code linux.resources.devices}, naming the entry at fault. */
  public static List<DeviceRule> from(List<LinuxDeviceCgroup> rules) throws CgroupException {
    List<DeviceRule> out = new ArrayList<>();
    if (rules == null) return out;
    for (int i = 0; i < rules.size(); i++) {
      LinuxDeviceCgroup d = rules.get(i);
      if (d == null) throw new CgroupException(field(i) + ": null rule");
      if (d.allow() == null) throw new CgroupException(field(i) + ".allow: missing (required)");
      String t = d.type() == null || d.type().isEmpty() ? "a" : d.type();
      if (!t.equals("a") && !t.equals("c") && !t.equals("b")) throw new CgroupException(field(i) + ".type: \"" + t + "\" is not one of a, c, b");
      // -1 is "*", as a missing number: docker and podman write it for --device-cgroup-rule 'c 42:* rwm'
      if (d.major() != null && (d.major() < ANY || d.major() > 0xFFFFFFFFL)) throw new CgroupException(field(i) + ".major: " + d.major() + " is not a device major number");
      if (d.minor() != null && (d.minor() < ANY || d.minor() > 0xFFFFFFFFL)) throw new CgroupException(field(i) + ".minor: " + d.minor() + " is not a device minor number");
      String a = d.access() == null || d.access().isEmpty() ? "rwm" : d.access();
      int mask = mask(a);
      if ((mask & UNKNOWN) != 0) {
        // older configs carry "rwa"; runc keeps only the letters the kernel knows
        String ignored = ignoredAccess(a);
        log().warn("{}.access: \"{}\": ignoring unknown access {} {} (only r, w and m exist)", field(i), a,
            ignored.length() == 1 ? "letter" : "letters", ignored.chars().mapToObj(c -> "'" + (char) c + "'")
                .collect(java.util.stream.Collectors.joining(", ")));
      }
      if ((mask & RWM) == 0) continue; // nothing left to allow or deny
      out.add(new DeviceRule(d.allow(), t.charAt(0), d.major() == null ? ANY : d.major(), d.minor() == null ? ANY : d.minor(),
          ACCESS[mask & RWM]));
    }
    return out;
  }

  /** The config field of rule {@code i}, for an error (made only then: create checks every rule twice). */
  private static String field(int i) {
    return "linux.resources.devices[" + i + "]";
  }

  /**
   * The access letters of {@code a} as bits (r 1, w 2, m 4), and {@link #UNKNOWN} when it has
   * any other: one pass, no string made (the normalised text is {@link #ACCESS} of the bits).
   */
  private static int mask(String a) {
    int m = 0;
    for (int i = 0; i < a.length(); i++) {
      char c = a.charAt(i);
      m |= c == 'r' ? 1 : c == 'w' ? 2 : c == 'm' ? 4 : UNKNOWN;
    }
    return m;
  }

  private static final int RWM = 7, UNKNOWN = 8;
  /** The access text of each mask of r (1), w (2), m (4), in runc's order. */
  private static final String[] ACCESS = {"", "r", "w", "rw", "m", "rm", "wm", "rwm"};

  /**
   * Refuses rules a v1 devices cgroup cannot hold as written, as runc's v1 emulator does. The
   * kernel keeps a default (allow or deny all) and a list of exceptions; a rule against the
   * default adds an exception, a rule with it removes one, but only an exact one: {@code deny c
   * 10:237} after {@code allow c 10:* rwm} removes nothing, and /dev/loop-control stayed usable.
   * Such a rule ("a hole in a wildcard exception") is an error naming both rules. A type {@code
   * a} rule sets the default and drops every exception. The walk starts from deny all, as
   * {@code applyDevices} writes it first.
   */
  public static void checkV1(List<DeviceRule> rules) throws CgroupException {
    boolean defaultAllow = false;
    java.util.Map<String, Integer> exceptions = new java.util.HashMap<>(); // "c 10:*" -> access bits
    for (int i = 0; i < rules.size(); i++) {
      DeviceRule r = rules.get(i);
      if (r.type == 'a') {
        defaultAllow = r.allow;
        exceptions.clear();
        continue;
      }
      String key = r.node(r.major, r.minor);
      int access = mask(r.access);
      if (r.allow != defaultAllow) {
        exceptions.put(key, exceptions.getOrDefault(key, 0) | access);
        continue;
      }
      long[][] wider = {{ANY, r.minor}, {r.major, ANY}, {ANY, ANY}};
      for (long[] w : wider) {
        String wkey = r.node(w[0], w[1]);
        Integer held = wkey.equals(key) ? null : exceptions.get(wkey);
        if (held != null && (held & access) != 0) {
          throw new CgroupException(field(i) + ": " + (r.allow ? "allow " : "deny ") + r.v1()
              + " cannot be set on a cgroup v1 devices controller: it lies inside the earlier "
              + (r.allow ? "deny " : "allow ") + wkey + " " + ACCESS[held] + ", and the kernel removes only exact exceptions"
              + " (runc: cannot punch hole in existing wildcard rule)");
        }
      }
      int left = exceptions.getOrDefault(key, 0) & ~access;
      if (left == 0) exceptions.remove(key);
      else exceptions.put(key, left);
    }
  }

  private String node(long maj, long min) {
    return type + " " + (maj == ANY ? "*" : Long.toString(maj)) + ":" + (min == ANY ? "*" : Long.toString(min));
  }

  /** The other letters of {@code a}, each once, in order of appearance: runc ignores them. */
  static String ignoredAccess(String a) {
    StringBuilder out = new StringBuilder();
    for (char c : a.toCharArray()) if ("rwm".indexOf(c) < 0 && out.indexOf(String.valueOf(c)) < 0) out.append(c);
    return out.toString();
  }

  /**
   * The rules runc enforces for a spec: the spec's own, then runc's default allow list (mknod
   * of anything; /dev/null, zero, full, random, urandom, tty, ptmx, pts, net/tun). Devices in
   * {@code linux.devices} get no rule of their own: the node exists, but whether it may be used
   * is the spec's rules' decision (runc's dev.bats "device cgroup deny" checks that a listed
   * /dev/kmsg stays denied).
   */
  public static List<LinuxDeviceCgroup> withRuncDefaults(List<LinuxDeviceCgroup> specRules) {
    List<LinuxDeviceCgroup> out = new ArrayList<>();
    if (specRules != null) out.addAll(specRules);
    out.add(new LinuxDeviceCgroup(true, "c", null, null, "m"));
    out.add(new LinuxDeviceCgroup(true, "b", null, null, "m"));
    long[][] chars = {{1, 3}, {1, 8}, {1, 7}, {5, 0}, {1, 5}, {1, 9}, {5, 2}, {10, 200}};
    for (long[] c : chars) out.add(new LinuxDeviceCgroup(true, "c", c[0], c[1], "rwm"));
    out.add(new LinuxDeviceCgroup(true, "c", 136L, null, "rwm"));
    return out;
  }

  /**
   * {@code r} with its device rules replaced by runc's effective list for the spec
   * ({@link #withRuncDefaults}); {@code r} may be null.
   */
  public static io.jrunc.spec.LinuxResources withRuncDevices(io.jrunc.spec.LinuxResources r) {
    List<LinuxDeviceCgroup> rules = withRuncDefaults(r == null ? null : r.devices());
    if (r == null) return new io.jrunc.spec.LinuxResources(rules, null, null, null, null, null, null, null, null);
    return new io.jrunc.spec.LinuxResources(rules, r.memory(), r.cpu(), r.pids(), r.blockIO(), r.hugepageLimits(), r.network(), r.rdma(), r.unified());
  }
}
