package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.api.stats.CgroupStats;
import io.jrunc.core.sys.Bpf;
import io.jrunc.core.sys.CgroupIo;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Signal;
import io.jrunc.spec.Json;
import io.jrunc.spec.LinuxCPU;
import io.jrunc.spec.LinuxDeviceCgroup;
import io.jrunc.spec.LinuxMemory;
import io.jrunc.spec.LinuxPids;
import io.jrunc.spec.LinuxResources;
import io.jrunc.testsupport.RequiresRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real cgroup v2, as root, under /jrunc-test/&lt;random&gt;: runs in the VM lane (scripts/vm-test.sh). */
@Timeout(180) // the emulated VM lane is 15-30x slower than the host
@Tag("cgroup-v2")
@RequiresRoot("creates cgroups under /jrunc-test")
class V2HostTest {
  @BeforeEach
  void onV2() {
    Live.assumeLayout(Layout.V2);
  }

  static LinuxResources resources() {
    return new LinuxResources(
        DeviceRule.withRuncDefaults(List.of(new LinuxDeviceCgroup(false, null, null, null, "rwm"))),
        new LinuxMemory(64L << 20, null, null, null, null, null, null, null, null),
        new LinuxCPU(512L, 50000L, null, 100000L, null, null, "0", null, null), new LinuxPids(64L), null, null, null, null,
        Map.of("memory.high", "50000000"));
  }

  static String read(Path dir, String f) throws Exception {
    return Files.readString(dir.resolve(f)).strip();
  }

  @Test
  void createLimitDeviceFilterFreezeStatsKillDestroy() throws Exception {
    String id = Live.randomId();
    CgroupManager m = Cgroups.create(new CgroupConfig(id, "/jrunc-test/" + id, resources(), false, false));
    Path dir = Path.of(m.paths().get(""));
    assertThat(dir).isEqualTo(Path.of("/sys/fs/cgroup/jrunc-test/" + id));
    Process p = null;
    try {
      m.create();
      assertThat(read(dir, "memory.max")).isEqualTo(Long.toString(64L << 20));
      assertThat(read(dir, "memory.high")).isEqualTo("49999872"); // page-rounded by the kernel
      assertThat(read(dir, "pids.max")).isEqualTo("64");
      assertThat(read(dir, "cpu.weight")).isEqualTo(Long.toString(ResourceWrites.sharesToWeight(512)));
      assertThat(read(dir, "cpu.max")).isEqualTo("50000 100000");
      assertThat(read(dir, "cpuset.cpus")).isEqualTo("0");
      assertThat(m.cloneIntoCgroupPath()).contains(dir);
      int cg = CgroupIo.openDirectory(dir.toString());
      try {
        assertThat(Bpf.query(cg, Bpf.BPF_CGROUP_DEVICE, dir.toString())).hasSize(1);
      } finally {
        Libc.close(cg);
      }

      // the device filter, verified and attached by the real kernel, decides opens in the cgroup
      p = new ProcessBuilder("sh", "-c", "sleep 3; (: < /dev/null) && echo null-ok; (: < /dev/kmsg) 2>/dev/null && echo kmsg-ok || echo kmsg-denied")
          .start();
      m.addProcess((int) p.pid());
      assertThat(Live.procCgroup(p.pid())).contains("0::/jrunc-test/" + id);
      p.waitFor();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(out).contains("null-ok", "kmsg-denied").doesNotContain("kmsg-ok");

      p = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
      m.addProcess((int) p.pid());
      m.freeze();
      assertThat(m.isFrozen()).isTrue();
      assertThat(read(dir, "cgroup.events")).contains("frozen 1");
      long t0 = Live.cpuTicks(p.pid());
      Thread.sleep(500);
      assertThat(Live.cpuTicks(p.pid())).isEqualTo(t0);
      m.thaw();
      assertThat(m.isFrozen()).isFalse();

      CgroupStats s = m.stats();
      assertThat(s.pids().current()).isEqualTo(1);
      assertThat(s.pids().limit()).isEqualTo(64);
      assertThat(s.memory().usage().limit()).isEqualTo(64L << 20);
      assertThat(s.cpu().usage().total()).isPositive();
      assertThat(Json.write(s)).contains("\"throttling\"", "\"raw\"", "\"cpuset\"", "\"intel_rdt\":{}", "\"network_interfaces\":null");

      // update replaces the filter (still one program attached) and changes limits
      m.update(new LinuxResources(DeviceRule.withRuncDefaults(List.of(new LinuxDeviceCgroup(false, null, null, null, "rwm"))),
          null, null, new LinuxPids(32L), null, null, null, null, null));
      assertThat(read(dir, "pids.max")).isEqualTo("32");
      cg = CgroupIo.openDirectory(dir.toString());
      try {
        assertThat(Bpf.query(cg, Bpf.BPF_CGROUP_DEVICE, dir.toString())).hasSize(1);
      } finally {
        Libc.close(cg);
      }

      CgroupManager again = Cgroups.reopen(Map.copyOf(m.state()));
      assertThat(again.pids()).containsExactly((int) p.pid());
      again.kill(Signal.SIGKILL); // cgroup.kill
      assertThat(p.waitFor()).isEqualTo(137);
      again.destroy();
      assertThat(dir).doesNotExist();
    } finally {
      if (p != null) p.destroyForcibly();
      m.destroy();
    }
  }

  @Test
  void unknownUnifiedKeyIsNamed() throws Exception {
    String id = Live.randomId();
    LinuxResources r = new LinuxResources(null, null, null, null, null, null, null, null, Map.of("memory.bogus", "1"));
    CgroupManager m = Cgroups.create(new CgroupConfig(id, "/jrunc-test/" + id, r, false, false));
    assertThatThrownBy(m::create).hasMessageStartingWith("linux.resources.unified.memory.bogus: /sys/fs/cgroup/jrunc-test/" + id + "/memory.bogus does not exist");
    assertThat(Path.of(m.paths().get(""))).doesNotExist();
  }

  @Test
  void v1OnlySettingsAreRefusedBeforeAnythingIsCreated() throws Exception {
    String id = Live.randomId();
    LinuxResources r = new LinuxResources(null, new LinuxMemory(null, null, null, null, null, 60L, null, null, null),
        null, null, null, null, null, null, null);
    CgroupManager m = Cgroups.create(new CgroupConfig(id, "/jrunc-test/" + id, r, false, false));
    assertThatThrownBy(m::create).hasMessage("linux.resources.memory.swappiness: cgroup v2 has no per-cgroup swappiness");
    assertThat(Path.of(m.paths().get(""))).doesNotExist();
  }

  @Test
  void oomKillIsCountedFromMemoryEvents() throws Exception {
    String id = Live.randomId();
    LinuxResources r = new LinuxResources(null, new LinuxMemory(16L << 20, null, 16L << 20, null, null, null, null, null, null),
        null, null, null, null, null, null, null);
    CgroupManager m = Cgroups.create(new CgroupConfig(id, "/jrunc-test/" + id, r, false, false));
    try {
      m.create();
      assertThat(read(Path.of(m.paths().get("")), "memory.swap.max")).isEqualTo("0");
      Process p = new ProcessBuilder("sh", "-c", "sleep 2; x=$(head -c 67108864 /dev/zero | tr '\\000' a); echo survived").start();
      m.addProcess((int) p.pid());
      p.waitFor();
      assertThat(m.oomKillCount()).isPositive();
    } finally {
      m.destroy();
    }
  }

  @Test
  void absentCgroupsPathIsBesideTheRuntimesOwnCgroup() throws Exception {
    String id = Live.randomId();
    String own = CgroupMounts.parseProcCgroup(Files.readString(Path.of("/proc/self/cgroup"))).get("");
    Path expected = Path.of("/sys/fs/cgroup" + Path.of(own).getParent()).resolve(id);
    CgroupManager m = Cgroups.create(new CgroupConfig(id, null, null, false, false));
    assertThat(m.paths()).containsEntry("", expected.toString());
    try {
      m.create();
      assertThat(expected).isDirectory();
    } finally {
      m.destroy();
    }
    assertThat(expected).doesNotExist();
    assertThat(expected.getParent()).isDirectory(); // not ours: stays
  }
}
