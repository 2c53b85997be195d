package io.jrunc.core.api.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** HostProbes on this machine, against what its file systems say by another way. */
class HostProbesTest {
  /**
   * cgroup v2 exactly where /sys/fs/cgroup is itself a cgroup2 filesystem (a v2 host; the
   * hybrid and v1 layouts mount a tmpfs there): the test containerd's shims make, read here
   * through NIO's file store instead of the runtime's mount table parse.
   */
  @Test
  void cgroupV2WhereSysFsCgroupIsACgroup2Filesystem() throws Exception {
    boolean cgroup2 = Files.getFileStore(Path.of("/sys/fs/cgroup")).type().equals("cgroup2");
    assertThat(HostProbes.cgroupV2()).as("cgroup2 at /sys/fs/cgroup: " + cgroup2).isEqualTo(cgroup2);
  }
}
