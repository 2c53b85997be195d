package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.spec.LinuxBlockIO;
import io.jrunc.spec.LinuxCPU;
import io.jrunc.spec.LinuxHugepageLimit;
import io.jrunc.spec.LinuxMemory;
import io.jrunc.spec.LinuxNetwork;
import io.jrunc.spec.LinuxPids;
import io.jrunc.spec.LinuxResources;
import io.jrunc.spec.LinuxThrottleDevice;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourceWritesTest {

  static LinuxResources mem(LinuxMemory m) {
    return new LinuxResources(null, m, null, null, null, null, null, null, null);
  }

  static LinuxResources cpu(LinuxCPU c) {
    return new LinuxResources(null, null, c, null, null, null, null, null, null);
  }

  static LinuxMemory memory(Long limit, Long swap) {
    return new LinuxMemory(limit, null, swap, null, null, null, null, null, null);
  }

  static List<String> files(List<Write> w) {
    return w.stream().map(x -> x.file() + "=" + x.value()).toList();
  }

  @Test
  void v1RaisingMemoryWritesMemswFirst() throws Exception {
    ResourceWrites.Current cur = (c, f) -> f.equals("memory.limit_in_bytes") ? "1048576\n" : null;
    assertThat(files(ResourceWrites.v1(mem(memory(4L << 20, 8L << 20)), cur)))
        .containsExactly("memory.memsw.limit_in_bytes=8388608", "memory.limit_in_bytes=4194304");
    ResourceWrites.Current big = (c, f) -> f.equals("memory.limit_in_bytes") ? "9223372036854771712\n" : null;
    assertThat(files(ResourceWrites.v1(mem(memory(4L << 20, 8L << 20)), big)))
        .containsExactly("memory.limit_in_bytes=4194304", "memory.memsw.limit_in_bytes=8388608");
    // unlimited memory, swap not given: both unlimited (runc)
    assertThat(files(ResourceWrites.v1(mem(memory(-1L, null)), cur)))
        .containsExactly("memory.memsw.limit_in_bytes=-1", "memory.limit_in_bytes=-1");
  }

  @Test
  void v2SwapIsSwapAlone() throws Exception {
    assertThat(files(ResourceWrites.v2(mem(memory(100L << 20, 300L << 20)), ResourceWrites.Current.NONE)))
        .containsExactly("memory.swap.max=209715200", "memory.max=104857600");
    assertThat(files(ResourceWrites.v2(mem(memory(100L << 20, 100L << 20)), ResourceWrites.Current.NONE)))
        .containsExactly("memory.swap.max=0", "memory.max=104857600");
    assertThat(files(ResourceWrites.v2(mem(memory(-1L, null)), ResourceWrites.Current.NONE)))
        .containsExactly("memory.swap.max=max", "memory.max=max");
    assertThatThrownBy(() -> ResourceWrites.swapToV2(100, 0)).hasMessageContaining("linux.resources.memory.swap: a swap limit needs a memory limit");
  }

  @Test
  void zeroMeansUnset() throws Exception {
    LinuxResources r = new LinuxResources(null, new LinuxMemory(0L, 0L, 0L, 0L, 0L, null, null, null, null),
        new LinuxCPU(0L, 0L, null, 0L, 0L, 0L, "", "", null), new LinuxPids(0L),
        new LinuxBlockIO(0L, 0L, null, null, null, null, null), null, null, null, null);
    assertThat(ResourceWrites.v1(r, ResourceWrites.Current.NONE)).isEmpty();
    assertThat(ResourceWrites.v2(r, ResourceWrites.Current.NONE)).isEmpty();
  }

  @Test
  void cpuSharesToWeightMatchesRunc() {
    assertThat(ResourceWrites.sharesToWeight(0)).isZero();
    assertThat(ResourceWrites.sharesToWeight(2)).isEqualTo(1);
    assertThat(ResourceWrites.sharesToWeight(1024)).isEqualTo(100);
    assertThat(ResourceWrites.sharesToWeight(262144)).isEqualTo(10000);
    assertThat(ResourceWrites.sharesToWeight(512)).isBetween(30L, 60L);
    assertThat(ResourceWrites.blkioToIoWeight(10)).isEqualTo(1);
    assertThat(ResourceWrites.blkioToIoWeight(1000)).isEqualTo(10000);
    assertThat(ResourceWrites.blkioToIoWeight(500)).isEqualTo(1 + 490 * 9999 / 990);
  }

  @Test
  void cpuV1AndV2() throws Exception {
    LinuxCPU c = new LinuxCPU(1024L, 50000L, 1000L, 100000L, null, null, "0-1", "0", 1L);
    assertThat(files(ResourceWrites.v1(cpu(c), ResourceWrites.Current.NONE))).containsExactly(
        "cpu.shares=1024", "cpu.cfs_period_us=100000", "cpu.cfs_quota_us=50000", "cpu.cfs_burst_us=1000", "cpu.idle=1",
        "cpuset.cpus=0-1", "cpuset.mems=0");
    assertThat(files(ResourceWrites.v2(cpu(c), ResourceWrites.Current.NONE))).containsExactly(
        "cpu.weight=100", "cpu.max=50000 100000", "cpu.max.burst=1000", "cpu.idle=1", "cpuset.cpus=0-1", "cpuset.mems=0");
    assertThat(files(ResourceWrites.v2(cpu(new LinuxCPU(null, -1L, null, null, null, null, null, null, null)), ResourceWrites.Current.NONE)))
        .containsExactly("cpu.max=max");
    assertThatThrownBy(() -> ResourceWrites.v2(cpu(new LinuxCPU(null, null, null, null, 950000L, 1000000L, null, null, null)), ResourceWrites.Current.NONE))
        .hasMessageStartingWith("linux.resources.cpu.realtimeRuntime:");
  }

  @Test
  void invalidValuesNameTheirField() {
    // the validator's rules and JSON pointers (Validator.resources): update meets them here
    assertThatThrownBy(() -> ResourceWrites.v1(mem(memory(-5L, null)), ResourceWrites.Current.NONE))
        .hasMessageStartingWith("/linux/resources/memory/limit: must be -1 (unlimited) or a non-negative number, got -5");
    assertThatThrownBy(() -> ResourceWrites.v1(mem(new LinuxMemory(null, null, null, null, null, 101L, null, null, null)), ResourceWrites.Current.NONE))
        .hasMessageStartingWith("/linux/resources/memory/swappiness: must be between 0 and 100, got 101");
    assertThatThrownBy(() -> ResourceWrites.v1(cpu(new LinuxCPU(null, null, null, null, null, null, "0-x", null, null)), ResourceWrites.Current.NONE))
        .hasMessageStartingWith("/linux/resources/cpu/cpus: invalid list \"0-x\"");
    assertThatThrownBy(() -> ResourceWrites.v1(cpu(new LinuxCPU(null, null, null, null, null, null, "0-9000", null, null)), ResourceWrites.Current.NONE))
        .hasMessageStartingWith("/linux/resources/cpu/cpus: 9000 is beyond");
    assertThatThrownBy(() -> ResourceWrites.v1(cpu(new LinuxCPU(1L, null, null, null, null, null, null, null, null)), ResourceWrites.Current.NONE))
        .hasMessageStartingWith("/linux/resources/cpu/shares: must be between 2 and 262144, got 1");
    assertThatThrownBy(() -> ResourceWrites.v1(cpu(new LinuxCPU(null, 10L, null, null, null, null, null, null, null)), ResourceWrites.Current.NONE))
        .hasMessageStartingWith("/linux/resources/cpu/quota: 10 is below");
    assertThatThrownBy(() -> ResourceWrites.v2(new LinuxResources(null, null, null, null, null,
        List.of(new LinuxHugepageLimit("2M", 1L)), null, null, null), ResourceWrites.Current.NONE))
        .hasMessageStartingWith("/linux/resources/hugepageLimits/0/pageSize: invalid page size \"2M\"");
  }

  @Test
  void v2OnlyAndV1OnlySettingsAreRejectedOnTheOtherVersion() {
    LinuxResources unified = new LinuxResources(null, null, null, null, null, null, null, null, Map.of("memory.high", "1G"));
    assertThatThrownBy(() -> ResourceWrites.v1(unified, ResourceWrites.Current.NONE))
        .hasMessage("linux.resources.unified: invalid configuration: cannot use unified on cgroup v1 (this host uses"
            + " cgroup v1; memory.high need cgroup v2)");
    LinuxResources net = new LinuxResources(null, null, null, null, null, null, new LinuxNetwork(7L, null), null, null);
    assertThatThrownBy(() -> ResourceWrites.v2(net, ResourceWrites.Current.NONE)).hasMessageStartingWith("linux.resources.network:");
    assertThatThrownBy(() -> ResourceWrites.v2(mem(new LinuxMemory(null, null, null, 1L << 20, null, null, null, null, null)), ResourceWrites.Current.NONE))
        .hasMessageStartingWith("linux.resources.memory.kernel:");
    LinuxResources badKey = new LinuxResources(null, null, null, null, null, null, null, null, Map.of("../x", "1"));
    assertThatThrownBy(() -> ResourceWrites.v2(badKey, ResourceWrites.Current.NONE)).hasMessage("/linux/resources/unified/..~1x: invalid cgroup file name \"../x\"");
    // {"cpu.max": null}: refused naming it, not an internal error at the write
    Map<String, String> nulls = new java.util.HashMap<>();
    nulls.put("cpu.max", null);
    LinuxResources nullValue = new LinuxResources(null, null, null, null, null, null, null, null, nulls);
    assertThatThrownBy(() -> ResourceWrites.v2(nullValue, ResourceWrites.Current.NONE)).hasMessage("/linux/resources/unified/cpu.max: must be a string, not null");
  }

  @Test
  void blockIo() throws Exception {
    LinuxBlockIO b = new LinuxBlockIO(500L, null, null, List.of(new LinuxThrottleDevice(8L, 0L, 1048576L)), null, null,
        List.of(new LinuxThrottleDevice(8L, 0L, 100L)));
    LinuxResources r = new LinuxResources(null, null, null, null, b, null, null, null, null);
    assertThat(files(ResourceWrites.v1(r, ResourceWrites.Current.NONE))).containsExactly(
        "blkio.weight=500", "blkio.throttle.read_bps_device=8:0 1048576", "blkio.throttle.write_iops_device=8:0 100");
    assertThat(files(ResourceWrites.v2(r, ResourceWrites.Current.NONE))).containsExactly(
        "io.weight=default " + ResourceWrites.blkioToIoWeight(500), "io.max=8:0 rbps=1048576", "io.max=8:0 wiops=100");
    ResourceWrites.Current bfq = (c, f) -> f.equals("io.bfq.weight") ? "default 100\n" : null;
    assertThat(files(ResourceWrites.v2(r, bfq)).get(0)).isEqualTo("io.bfq.weight=500");
    assertThatThrownBy(() -> ResourceWrites.v1(new LinuxResources(null, null, null, null,
        new LinuxBlockIO(5L, null, null, null, null, null, null), null, null, null, null), ResourceWrites.Current.NONE))
        .hasMessage("/linux/resources/blockIO/weight: must be between 10 and 1000, got 5");
  }

  @Test
  void checkBeforeUpdateRefusesALimitBelowUsage() throws Exception {
    ResourceWrites.Current cur = (c, f) -> f.equals("memory.current") ? "50000000\n" : null;
    LinuxMemory m = new LinuxMemory(10_000_000L, null, null, null, null, null, null, null, true);
    // runc's words, which its update.bats matches
    assertThatThrownBy(() -> ResourceWrites.v2(mem(m), cur))
        .hasMessage("linux.resources.memory.limit: rejecting memory limit 10000000 <= usage 50000000 (checkBeforeUpdate)");
    // memory+swap first; at the usage itself refused too; above it, or no usage to read, written
    LinuxMemory both = new LinuxMemory(10_000_000L, null, 50_000_000L, null, null, null, null, null, true);
    assertThatThrownBy(() -> ResourceWrites.v2(mem(both), cur))
        .hasMessage("linux.resources.memory.swap: rejecting memory+swap limit 50000000 <= usage 50000000 (checkBeforeUpdate)");
    ResourceWrites.Current v1 = (c, f) -> f.equals("memory.usage_in_bytes") ? "50000000\n" : null;
    assertThatThrownBy(() -> ResourceWrites.v1(mem(m), v1)).hasMessageContaining("rejecting memory limit 10000000 <= usage 50000000");
    LinuxMemory above = new LinuxMemory(60_000_000L, null, null, null, null, null, null, null, true);
    assertThat(files(ResourceWrites.v2(mem(above), cur))).contains("memory.max=60000000");
    assertThat(files(ResourceWrites.v2(mem(m), ResourceWrites.Current.NONE))).contains("memory.max=10000000");
  }

  @Test
  void pidsMaxAndHugetlbRsvd() throws Exception {
    LinuxResources r = new LinuxResources(null, null, null, new LinuxPids(-1L), null,
        List.of(new LinuxHugepageLimit("2MB", 4194304L)), null, null, null);
    ResourceWrites.Current rsvd = (c, f) -> f.contains("rsvd") ? "max\n" : null;
    assertThat(files(ResourceWrites.v2(r, rsvd))).containsExactly("pids.max=max", "hugetlb.2MB.max=4194304", "hugetlb.2MB.rsvd.max=4194304");
    assertThat(files(ResourceWrites.v1(r, ResourceWrites.Current.NONE))).containsExactly("pids.max=max", "hugetlb.2MB.limit_in_bytes=4194304");
  }
}
