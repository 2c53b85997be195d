package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttachWarmupTest {
  static final Path ROOT = Path.of("/sys/fs/cgroup");

  @Test
  void picksAHierarchyWhoseMountShowsOurOwnCgroup() throws Exception {
    CgroupMounts m = CgroupMounts.parse(CgroupMountsTest.HYBRID, ROOT);
    Map<String, String> self = CgroupMounts.parseProcCgroup("""
        9:name=systemd:/user.slice/s.scope
        5:freezer:/
        4:memory:/system.slice/x
        2:cpuacct:/user.slice
        1:cpu:/user.slice
        0::/user.slice/s.scope
        """);
    // cpu, cpuacct and memory would move us (into their root): only freezer is where we are
    assertThat(AttachWarmup.ownProcs(m, self)).isEqualTo(Path.of("/sys/fs/cgroup/freezer/cgroup.procs"));
  }

  @Test
  void aMountRootBelowTheHierarchysRootCountsWhenWeAreThere() throws Exception {
    CgroupMounts m = CgroupMounts.parse(CgroupMountsTest.V1_COMOUNT, ROOT);
    Map<String, String> self = CgroupMounts.parseProcCgroup("""
        3:memory:/docker/abc
        2:net_cls,net_prio:/docker/abc
        1:cpu,cpuacct:/docker/abc
        """);
    assertThat(AttachWarmup.ownProcs(m, self)).isEqualTo(Path.of("/sys/fs/cgroup/memory/cgroup.procs"));
  }

  @Test
  void noneWhenEveryMountWouldMoveUs() throws Exception {
    CgroupMounts m = CgroupMounts.parse(CgroupMountsTest.HYBRID, ROOT);
    Map<String, String> self = CgroupMounts.parseProcCgroup("""
        9:name=systemd:/a
        5:freezer:/a
        4:memory:/a
        2:cpuacct:/a
        1:cpu:/a
        0::/a
        """);
    assertThat(AttachWarmup.ownProcs(m, self)).isNull();
  }
}
