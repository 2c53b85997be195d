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
      String f = "linux.resources.devices[" + i + "]";
      if (d == null) throw new CgroupException(f + ": null rule");
      if (d.allow() == null) throw new CgroupException(f + ".allow: missing (required)");
      String t = d.type() == null || d.type().isEmpty() ? "a" : d.type();
      if (!t.equals("a") && !t.equals("c") && !t.equals("b")) throw new CgroupException(f + ".type: \"" + t + "\" is not one of a, c, b");
      // -1 is "*", as a missing number: docker and podman write it for --device-cgroup-rule 'c 42:* rwm'
      if (d.major() != null && (d.major() < ANY || d.major() > 0xFFFFFFFFL)) throw new CgroupException(f + ".major: " + d.major() + " is not a device major number");
      if (d.minor() != null && (d.minor() < ANY || d.minor() > 0xFFFFFFFFL)) throw new CgroupException(f + ".minor: " + d.minor() + " is not a device minor number");
      String a = d.access() == null || d.access().isEmpty() ? "rwm" : d.access();
      String ignored = ignoredAccess(a);
      if (!ignored.isEmpty()) {
        // older configs carry "rwa"; runc keeps only the letters the kernel knows
        log().warn("{}.access: \"{}\": ignoring unknown access {} {} (only r, w and m exist)", f, a,
            ignored.length() == 1 ? "letter" : "letters", ignored.chars().mapToObj(c -> "'" + (char) c + "'")
                .collect(java.util.stream.Collectors.joining(", ")));
      }
      String norm = access(a);
      if (norm.isEmpty()) continue; // nothing left to allow or deny
      out.add(new DeviceRule(d.allow(), t.charAt(0), d.major() == null ? ANY : d.major(), d.minor() == null ? ANY : d.minor(), norm));
    }
    return out;
  }

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
    java.util.Map<String, String> exceptions = new java.util.HashMap<>(); // "c 10:*" -> access
    for (int i = 0; i < rules.size(); i++) {
      DeviceRule r = rules.get(i);
      if (r.type == 'a') {
        defaultAllow = r.allow;
        exceptions.clear();
        continue;
      }
      String key = r.node(r.major, r.minor);
      if (r.allow != defaultAllow) {
        String had = exceptions.getOrDefault(key, "");
        exceptions.put(key, access(had + r.access));
        continue;
      }
      long[][] wider = {{ANY, r.minor}, {r.major, ANY}, {ANY, ANY}};
      for (long[] w : wider) {
        String wkey = r.node(w[0], w[1]);
        String held = wkey.equals(key) ? null : exceptions.get(wkey);
        if (held != null && !access(intersection(held, r.access)).isEmpty()) {
          throw new CgroupException("linux.resources.devices[" + i + "]: " + (r.allow ? "allow " : "deny ") + r.v1()
              + " cannot be set on a cgroup v1 devices controller: it lies inside the earlier "
              + (r.allow ? "deny " : "allow ") + wkey + " " + held + ", and the kernel removes only exact exceptions"
              + " (runc: cannot punch hole in existing wildcard rule)");
        }
      }
      String left = access(without(exceptions.getOrDefault(key, ""), r.access));
      if (left.isEmpty()) exceptions.remove(key);
      else exceptions.put(key, left);
    }
  }

  private String node(long maj, long min) {
    return type + " " + (maj == ANY ? "*" : Long.toString(maj)) + ":" + (min == ANY ? "*" : Long.toString(min));
  }

  private static String intersection(String a, String b) {
    StringBuilder out = new StringBuilder();
    for (char c : a.toCharArray()) if (b.indexOf(c) >= 0) out.append(c);
    return out.toString();
  }

  private static String without(String a, String b) {
    StringBuilder out = new StringBuilder();
    for (char c : a.toCharArray()) if (b.indexOf(c) < 0) out.append(c);
    return out.toString();
  }

  /** The access letters the kernel knows ({@code r}, {@code w}, {@code m}) in {@code a}, in that order. */
  static String access(String a) {
    StringBuilder norm = new StringBuilder();
    for (char c : "rwm".toCharArray()) if (a.indexOf(c) >= 0) norm.append(c);
    return norm.toString();
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
