package io.jrunc.core.cgroup;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Helpers for the tests that drive the real kernel. */
final class Live {
  private Live() {}

  static Layout layout() {
    try {
      return Cgroups.detect();
    } catch (CgroupException e) {
      return null;
    }
  }

  /** Root is checked by {@code @RequiresRoot} on the class; this is the layout the test is for. */
  static void assumeLayout(Layout... layouts) {
    Layout l = layout();
    assumeTrue(l != null && List.of(layouts).contains(l),
        "needs a cgroup " + List.of(layouts) + " host; this one is " + l + " (the v2 tests run in the VM lane: scripts/vm-test.sh)");
  }

  static String randomId() {
    return "t" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
  }

  static String procCgroup(long pid) throws Exception {
    return Files.readString(Path.of("/proc/" + pid + "/cgroup"));
  }

  /** utime+stime of a process, in clock ticks (proc(5) /proc/pid/stat fields 14, 15). */
  static long cpuTicks(long pid) throws Exception {
    String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }
}
