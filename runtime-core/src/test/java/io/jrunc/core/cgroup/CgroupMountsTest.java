package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CgroupMountsTest {
  static final Path ROOT = Path.of("/sys/fs/cgroup");

  static final String HYBRID = """
      31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
      32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
      33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
      35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
      37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
      40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
      41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
      """;

  static final String V1_COMOUNT = """
      25 18 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
      28 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:10 - cgroup cgroup rw,cpu,cpuacct
      29 25 0:26 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid shared:11 - cgroup cgroup rw,net_cls,net_prio
      30 25 0:27 /docker/abc /sys/fs/cgroup/memory rw,nosuid shared:12 - cgroup cgroup rw,memory
      """;

  static final String V2 = """
      22 1 0:20 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
      """;

  @Test
  void hybridHasV1ControllersAndTheUnifiedMount() throws Exception {
    CgroupMounts m = CgroupMounts.parse(HYBRID, ROOT);
    assertThat(m.layout()).isEqualTo(Layout.HYBRID);
    assertThat(m.unified()).isEqualTo(Path.of("/sys/fs/cgroup/unified"));
    assertThat(m.v1()).containsOnlyKeys("cpu", "cpuacct", "memory", "freezer", "name=systemd");
    assertThat(m.v1().get("cpu").mountPoint()).isEqualTo(Path.of("/sys/fs/cgroup/cpu"));
  }

  @Test
  void coMountedControllersShareOneHierarchyAndMountRootIsKept() throws Exception {
    CgroupMounts m = CgroupMounts.parse(V1_COMOUNT, ROOT);
    assertThat(m.layout()).isEqualTo(Layout.V1);
    assertThat(m.v1().get("cpu")).isSameAs(m.v1().get("cpuacct"));
    assertThat(m.v1().get("net_prio").mountPoint()).isEqualTo(Path.of("/sys/fs/cgroup/net_cls,net_prio"));
    assertThat(m.v1().get("memory").root()).isEqualTo("/docker/abc");
  }

  @Test
  void unifiedAtTheRootIsV2() throws Exception {
    CgroupMounts m = CgroupMounts.parse(V2, ROOT);
    assertThat(m.layout()).isEqualTo(Layout.V2);
    assertThat(m.v1()).isEmpty();
    assertThat(m.unified()).isEqualTo(ROOT);
  }

  @Test
  void noCgroupMountIsAClearError() {
    assertThatThrownBy(() -> CgroupMounts.parse("1 0 0:1 / / rw - ext4 /dev/sda rw\n", ROOT))
        .isInstanceOf(CgroupException.class).hasMessageContaining("no cgroup filesystem is mounted under /sys/fs/cgroup");
  }

  @Test
  void escapedMountPoints() {
    assertThat(CgroupMounts.unescape("/a\\040b")).isEqualTo("/a b");
    assertThat(CgroupMounts.unescape("/a\\b")).isEqualTo("/a\\b");
  }

  @Test
  void procCgroup() {
    Map<String, String> m = CgroupMounts.parseProcCgroup("9:name=systemd:/\n2:cpu,cpuacct:/user.slice\n0::/init.scope\n");
    assertThat(m).containsEntry("name=systemd", "/").containsEntry("cpu", "/user.slice")
        .containsEntry("cpuacct", "/user.slice").containsEntry("", "/init.scope");
  }

  @Test
  void thisHostParses() throws Exception {
    CgroupMounts m = CgroupHost.current().mounts();
    assertThat(m.layout()).isNotNull();
  }

  @Test
  void aMountTableIsParsedOnceAndAnotherTableAgain() throws Exception {
    Path root = Path.of("/sys/fs/cgroup");
    String hybrid = new String(HYBRID); // a text of its own: the cache goes by identity
    CgroupMounts first = new CgroupHost(root, hybrid, "0::/\n").mounts();
    assertThat(new CgroupHost(root, hybrid, "0::/\n").mounts()).isSameAs(first);
    // an equal text that is another string (read again) is parsed again, as is another table
    assertThat(new CgroupHost(root, new String(HYBRID), "0::/\n").mounts()).isNotSameAs(first).isEqualTo(first);
    assertThat(new CgroupHost(root, V2, "0::/\n").mounts().layout()).isEqualTo(Layout.V2);
    assertThat(new CgroupHost(root, hybrid, "0::/\n").mounts().layout()).isEqualTo(Layout.HYBRID);
  }
}
