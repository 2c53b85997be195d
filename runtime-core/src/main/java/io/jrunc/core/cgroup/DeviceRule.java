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
    return type + " " + (major == ANY ? "*" : Long.toString(major)) + ":" + (minor == ANY ? "*" : Long.toString(minor)) + " " + access;
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
      if (d.major() != null && (d.major() < 0 || d.major() > 0xFFFFFFFFL)) throw new CgroupException(f + ".major: " + d.major() + " is not a device major number");
      if (d.minor() != null && (d.minor() < 0 || d.minor() > 0xFFFFFFFFL)) throw new CgroupException(f + ".minor: " + d.minor() + " is not a device minor number");
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
