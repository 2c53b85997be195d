package io.jrunc.core.security;

import io.jrunc.core.log.Logs;
import io.jrunc.spec.LinuxCapabilities;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;

/**
 * Capability names and numbers (linux/capability.h), and the five sets of
 * {@code process.capabilities} as bitmasks.
 *
 * <p>Like runc (libcontainer/capabilities), a name that is unknown, or known but beyond the
 * running kernel's {@code /proc/sys/kernel/cap_last_cap}, is ignored with a warning rather than
 * failing the container: images carry profiles written for newer kernels.
 */
public final class Capabilities {
  /** Looked up when a line is written: SLF4J's bootstrap costs ~0.5 ms of a CLI exec or create. */
  private static Logger log() {
    return Logs.get(Capabilities.class);
  }

  private Capabilities() {}

  /** Index = capability number: the validator's list (one table for validate, create and features). */
  private static final List<String> NAMES = io.jrunc.spec.KnownValues.CAPABILITIES;

  private static final Map<String, Integer> NUMBERS;

  static {
    var m = new java.util.HashMap<String, Integer>();
    for (int i = 0; i < NAMES.size(); i++) m.put(NAMES.get(i), i);
    NUMBERS = Map.copyOf(m);
  }

  /** The highest capability number this build knows (CAP_CHECKPOINT_RESTORE, Linux 5.9). */
  public static final int LAST_KNOWN = NAMES.size() - 1;

  /** All known names, in number order (for {@code features}). */
  public static List<String> known() {
    return NAMES;
  }

  /** The number of {@code CAP_*}, or -1 when unknown. */
  public static int number(String name) {
    Integer n = name == null ? null : NUMBERS.get(name);
    return n == null ? -1 : n;
  }

  /** The name of capability {@code n}; {@code cap<n>} for a number newer than this build. */
  public static String name(int n) {
    return n >= 0 && n < NAMES.size() ? NAMES.get(n) : "cap" + n;
  }

  /** The running kernel's last capability ({@code /proc/sys/kernel/cap_last_cap}). */
  public static int kernelLastCap() {
    return io.jrunc.core.spawn.Spawner.lastCap();
  }

  /**
   * The five sets as bitmasks (bit n = capability n), plus the names that were ignored.
   *
   * @param lastCap the kernel's cap_last_cap: every capability up to it not in {@code bounding}
   *     is dropped, also numbers newer than this build knows by name (as gocapability does)
   */
  public record Sets(long bounding, long effective, long inheritable, long permitted, long ambient, int lastCap,
      List<String> ignored) {
    public static Sets of(LinuxCapabilities caps, int kernelLastCap) {
      int last = Math.min(kernelLastCap, LAST_KNOWN); // names we can map
      int drop = Math.min(Math.max(kernelLastCap, 0), 63);
      TreeSet<String> ignored = new TreeSet<>();
      if (caps == null) return new Sets(0, 0, 0, 0, 0, drop, List.of());
      long b = mask(caps.bounding(), last, ignored), e = mask(caps.effective(), last, ignored),
          i = mask(caps.inheritable(), last, ignored), p = mask(caps.permitted(), last, ignored),
          a = mask(caps.ambient(), last, ignored);
      if (!ignored.isEmpty()) log().warn("ignoring unknown or unavailable capabilities: {}", ignored);
      return new Sets(b, e, i, p, a, drop, List.copyOf(ignored));
    }

    /** Ambient capabilities the kernel will accept: those both permitted and inheritable. */
    public long raisableAmbient() {
      return ambient & permitted & inheritable;
    }
  }

  private static long mask(List<String> names, int last, TreeSet<String> ignored) {
    long m = 0;
    if (names == null) return 0;
    for (String n : names) {
      int c = number(n);
      if (c < 0 || c > last) ignored.add(String.valueOf(n));
      else m |= 1L << c;
    }
    return m;
  }
}
