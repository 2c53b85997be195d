package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.api.stats.CgroupStats;
import io.jrunc.spec.LinuxCPU;
import io.jrunc.spec.LinuxDeviceCgroup;
import io.jrunc.spec.LinuxMemory;
import io.jrunc.spec.LinuxPids;
import io.jrunc.spec.LinuxResources;
import io.jrunc.spec.Json;
import io.jrunc.spec.LinuxHugepageLimit;
import io.jrunc.testsupport.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real cgroup v1 / hybrid, as root, under /jrunc-test/&lt;random&gt; (skipped elsewhere, with the reason). */
@Timeout(180) // the emulated VM lane is 15-30x slower than the host
@Tag("cgroup-v1")
@RequiresRoot("creates cgroups under /jrunc-test")
class V1HostTest {
  @BeforeEach
  void onV1() {
    Live.assumeLayout(Layout.V1, Layout.HYBRID);
  }

  @Test
  void createLimitJoinFreezeStatsUpdateReopenDestroy() throws Exception {
    String id = Live.randomId();
    LinuxResources r = new LinuxResources(
        DeviceRule.withRuncDefaults(List.of(new LinuxDeviceCgroup(false, null, null, null, "rwm"))),
        new LinuxMemory(64L << 20, null, null, null, null, 10L, null, null, null),
        new LinuxCPU(512L, 50000L, null, 100000L, null, null, "0", "0", null), new LinuxPids(64L), null, null, null, null, null);
    CgroupManager m = Cgroups.create(new CgroupConfig(id, "/jrunc-test/" + id, r, false, false));
    Map<String, String> paths = m.paths();
    Path mem = Path.of(paths.get("memory"));
    assertThat(mem).isEqualTo(Path.of("/sys/fs/cgroup/memory/jrunc-test/" + id));
    Process p = null;
    try {
      m.create();
      assertThat(Files.readString(mem.resolve("memory.limit_in_bytes")).strip()).isEqualTo(Long.toString(64L << 20));
      assertThat(Files.readString(mem.resolve("memory.swappiness")).strip()).isEqualTo("10");
      assertThat(Files.readString(Path.of(paths.get("pids"), "pids.max")).strip()).isEqualTo("64");
      assertThat(Files.readString(Path.of(paths.get("cpu"), "cpu.shares")).strip()).isEqualTo("512");
      assertThat(Files.readString(Path.of(paths.get("cpu"), "cpu.cfs_quota_us")).strip()).isEqualTo("50000");
      assertThat(Files.readString(Path.of(paths.get("cpuset"), "cpuset.cpus")).strip()).isEqualTo("0");
      String devices = Files.readString(Path.of(paths.get("devices"), "devices.list"));
      assertThat(devices).contains("c 1:3 rwm", "c 136:* rwm", "c *:* m").doesNotContain("a *:* rwm");
      assertThat(m.cloneIntoCgroupPath()).isEmpty();

      // a busy loop, so that freezing shows in its CPU time
      p = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
      m.addProcess((int) p.pid());
      String cg = Live.procCgroup(p.pid());
      assertThat(cg).contains("memory:/jrunc-test/" + id, "freezer:/jrunc-test/" + id);
      if (m.layout() == Layout.HYBRID) assertThat(cg).contains("0::/jrunc-test/" + id);
      assertThat(m.pids()).containsExactly((int) p.pid());

      m.freeze();
      assertThat(m.isFrozen()).isTrue();
      assertThat(Files.readString(Path.of(paths.get("freezer"), "freezer.state")).strip()).isEqualTo("FROZEN");
      long t0 = Live.cpuTicks(p.pid());
      Thread.sleep(300);
      assertThat(Live.cpuTicks(p.pid())).isEqualTo(t0);
      m.thaw();
      assertThat(m.isFrozen()).isFalse();
      Thread.sleep(300);
      assertThat(Live.cpuTicks(p.pid())).isGreaterThan(t0);

      CgroupStats s = m.stats();
      // charges stay where they were made (memory.move_charge_at_immigrate=0): the loop allocates nothing new
      assertThat(s.memory().raw()).containsKeys("rss", "cache");
      assertThat(s.memory().usage().limit()).isEqualTo(64L << 20);
      assertThat(s.pids().current()).isEqualTo(1);
      assertThat(s.pids().limit()).isEqualTo(64);
      assertThat(s.cpu().usage().total()).isPositive();
      String json = Json.write(s);
      assertThat(json).contains("\"usage\"", "\"throttling\"", "\"percpu\"", "\"raw\"", "\"failcnt\"");

      m.update(new LinuxResources(null, new LinuxMemory(0L, null, null, null, null, null, null, null, null), null,
          new LinuxPids(32L), null, null, null, null, null));
      assertThat(Files.readString(Path.of(paths.get("pids"), "pids.max")).strip()).isEqualTo("32");
      assertThat(Files.readString(mem.resolve("memory.limit_in_bytes")).strip()).isEqualTo(Long.toString(64L << 20));

      // a later CLI process
      CgroupManager again = Cgroups.reopen(Map.copyOf(m.state()));
      assertThat(again.paths()).isEqualTo(paths);
      assertThat(again.pids()).containsExactly((int) p.pid());
      again.destroy();
      assertThat(p.waitFor()).isEqualTo(137);
      for (String d : paths.values()) assertThat(Path.of(d)).doesNotExist();
    } finally {
      if (p != null) p.destroyForcibly();
      m.destroy();
    }
  }

  /**
   * destroy removes the container's cgroup in every hierarchy also when something (a nested
   * runtime) made cgroups below it: the kernel refuses the first rmdir, the children go first.
   */
  @Test
  void destroyRemovesCgroupsNestedBelowTheContainers() throws Exception {
    String id = Live.randomId();
    CgroupManager m = Cgroups.create(new CgroupConfig(id, "/jrunc-test/" + id, null, false, false));
    try {
      m.create();
      for (String d : m.paths().values()) Files.createDirectories(Path.of(d, "nested", "deeper"));
    } finally {
      m.destroy();
    }
    for (String d : m.paths().values()) assertThat(Path.of(d)).doesNotExist();
  }

  @Test
  void aKernelRefusalNamesTheFieldAndLeavesNothingBehind() throws Exception {
    String id = Live.randomId();
    LinuxResources r = new LinuxResources(null, null, new LinuxCPU(null, null, null, null, null, null, "4000-4001", null, null),
        null, null, null, null, null, null);
    CgroupManager m = Cgroups.create(new CgroupConfig(id, "/jrunc-test/" + id, r, false, false));
    assertThatThrownBy(m::create).isInstanceOf(CgroupException.class)
        .hasMessageStartingWith("linux.resources.cpu.cpus: write \"4000-4001\" to /sys/fs/cgroup/cpuset/jrunc-test/" + id + "/cpuset.cpus:");
    for (String d : m.paths().values()) assertThat(Path.of(d)).doesNotExist();
  }

  /**
   * The device rules go in their order, an allow and a deny of the same device one after the
   * other (devices.allow and devices.deny are each opened once for all the rules): the later
   * deny wins.
   */
  @Test
  void deviceRulesApplyInOrder() throws Exception {
    String id = Live.randomId();
    LinuxResources r = new LinuxResources(List.of(new LinuxDeviceCgroup(false, null, null, null, "rwm"),
        new LinuxDeviceCgroup(true, "c", 1L, 5L, "rwm"), new LinuxDeviceCgroup(true, "c", 1L, 7L, "rwm"),
        new LinuxDeviceCgroup(false, "c", 1L, 5L, "rwm")), null, null, null, null, null, null, null, null);
    CgroupManager m = Cgroups.create(new CgroupConfig(id, "/jrunc-test/" + id, r, false, false));
    try {
      m.create();
      String devices = Files.readString(Path.of(m.paths().get("devices"), "devices.list"));
      assertThat(devices).contains("c 1:7 rwm").doesNotContain("c 1:5");
    } finally {
      m.destroy();
    }
  }

  @Test
  void missingHierarchyOrV2OnlySettingIsAClearError() throws Exception {
    String id = Live.randomId();
    boolean hasHugetlb = Cgroups.create(new CgroupConfig(id, "/x", null, false, false)).paths().containsKey("hugetlb");
    if (!hasHugetlb) {
      LinuxResources r = new LinuxResources(null, null, null, null, null, List.of(new LinuxHugepageLimit("2MB", 2L << 20)), null, null, null);
      CgroupManager m = Cgroups.create(new CgroupConfig(id, "/jrunc-test/" + id, r, false, false));
      assertThatThrownBy(m::create).hasMessage("linux.resources.hugepageLimits[0]: the hugetlb cgroup v1 controller is not mounted on this host");
      for (String d : m.paths().values()) assertThat(Path.of(d)).doesNotExist();
    }
    LinuxResources u = new LinuxResources(null, null, null, null, null, null, null, null, Map.of("memory.high", "1G"));
    assertThatThrownBy(() -> Cgroups.create(new CgroupConfig(id, "/jrunc-test/" + id, u, false, false)).create())
        .hasMessageContaining("this host uses cgroup v1");
  }

  @Test
  void oomKillIsCounted() throws Exception {
    String id = Live.randomId();
    LinuxResources r = new LinuxResources(null, new LinuxMemory(16L << 20, null, 16L << 20, null, null, null, null, null, null),
        null, null, null, null, null, null, null);
    CgroupManager m = Cgroups.create(new CgroupConfig(id, "/jrunc-test/" + id, r, false, false));
    try {
      m.create();
      // waits for its cgroup before allocating 64 MiB of anonymous memory
      Process p = new ProcessBuilder("sh", "-c", "sleep 0.3; x=$(head -c 67108864 /dev/zero | tr '\\000' a); echo survived").start();
      m.addProcess((int) p.pid());
      p.waitFor();
      assertThat(m.oomKillCount()).isPositive();
    } finally {
      m.destroy();
    }
  }
}
