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
      return new CgroupHost(DEFAULT_ROOT, io.jrunc.core.sys.BoundedFile.readKernelFile(Path.of("/proc/self/mountinfo"), io.jrunc.core.sys.BoundedFile.KERNEL_LIMIT),
          io.jrunc.core.sys.BoundedFile.readKernelFile(Path.of("/proc/self/cgroup"), io.jrunc.core.sys.BoundedFile.KERNEL_LIMIT));
    } catch (IOException e) {
      throw new UncheckedIOException("read /proc/self/mountinfo or /proc/self/cgroup: " + e.getMessage(), e);
    }
  }

  /** The mounts this host has (parsed once per call). */
  public CgroupMounts mounts() throws CgroupException {
    return CgroupMounts.parse(mountinfo, root);
  }
}
