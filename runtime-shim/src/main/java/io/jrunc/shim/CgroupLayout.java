package io.jrunc.shim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this host's cgroups are v2 only ("unified": a cgroup2 filesystem at /sys/fs/cgroup),
 * decided once per shim as containerd's shims decide it: there jrunc puts a task in cgroup v2 and
 * the task's Stats are {@code io.containerd.cgroups.v2.Metrics}; on a v1 or hybrid host (a tmpfs
 * of v1 hierarchies, perhaps with a cgroup2 at its {@code unified}) they are v1's.
 */
final class CgroupLayout {
  private CgroupLayout() {}

  /** True on a cgroup v2 host (read at the first call). */
  static boolean unified() {
    return Once.UNIFIED;
  }

  private static final class Once {
    static final boolean UNIFIED = isCgroup2(Path.of("/sys/fs/cgroup"));
  }

  /** True when {@code dir} lies on a cgroup2 filesystem; false when not, or when it cannot be told. */
  static boolean isCgroup2(Path dir) {
    try {
      return Files.getFileStore(dir).type().equals("cgroup2");
    } catch (IOException | SecurityException e) {
      return false;
    }
  }
}
