package io.jrunc.core.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * What the cgroup code reads about the machine, as values so every layout can be unit-tested
 * against a temporary directory: the cgroup mount root (normally {@code /sys/fs/cgroup}), the
 * text of {@code /proc/self/mountinfo} and of {@code /proc/self/cgroup}.
 */
public record CgroupHost(Path root, String mountinfo, String selfCgroup) {
  public static final Path DEFAULT_ROOT = Path.of("/sys/fs/cgroup");

  /** The running process's view. */
  public static CgroupHost current() {
    try {
      return new CgroupHost(DEFAULT_ROOT, io.jrunc.core.sys.MountTable.text(),
          io.jrunc.core.sys.BoundedFile.readKernelFile(Path.of("/proc/self/cgroup"), io.jrunc.core.sys.BoundedFile.KERNEL_LIMIT));
    } catch (IOException e) {
      throw new UncheckedIOException("read /proc/self/mountinfo or /proc/self/cgroup: " + e.getMessage(), e);
    }
  }

  /** The mounts this host has (parsed once per mount table: by its text's identity, as MountTable keeps it). */
  public CgroupMounts mounts() throws CgroupException {
    Parsed p = last;
    if (p != null && p.mountinfo == mountinfo && p.root.equals(root)) return p.mounts;
    CgroupMounts m = CgroupMounts.parse(mountinfo, root);
    last = new Parsed(mountinfo, root, m);
    return m;
  }

  /** A mount table's text, the root it was parsed for and what that gave. */
  private record Parsed(String mountinfo, Path root, CgroupMounts mounts) {}

  private static volatile Parsed last;
}
