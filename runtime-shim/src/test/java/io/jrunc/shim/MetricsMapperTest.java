package io.jrunc.shim;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.api.stats.CgroupStats;
import io.jrunc.shim.proto.Metrics;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsMapperTest {

  @Test
  void fillsWhatCtrTaskMetricsShowsAndRoundTripsOnTheWire() throws Exception {
    var s = new CgroupStats(
        new CgroupStats.Cpu(new CgroupStats.CpuUsage(300, List.of(100L, 200L), null, null, 20, 280),
            new CgroupStats.Throttling(5, 2, 1000)),
        new CgroupStats.Memory(4096, new CgroupStats.MemoryEntry(67108864, 385024, 400000, 0),
            CgroupStats.MemoryEntry.NONE, CgroupStats.MemoryEntry.NONE, CgroupStats.MemoryEntry.NONE,
            Map.of("rss", 1000L, "pgfault", 7L, "total_cache", 4096L)),
        new CgroupStats.Pids(1, Long.MAX_VALUE),
        new CgroupStats.Blkio(List.of(new CgroupStats.BlkioEntry(8, 0, "Read", 512)), List.of()),
        Map.of("2MB", new CgroupStats.Hugetlb(0, 0, 0)));
    Metrics m = Metrics.parseFrom(MetricsMapper.v1(s).toByteArray());
    assertThat(m.getMemory().getUsage().getLimit()).isEqualTo(67108864);
    assertThat(m.getMemory().getUsage().getUsage()).isEqualTo(385024);
    assertThat(m.getMemory().getCache()).isEqualTo(4096);
    assertThat(m.getMemory().getRss()).isEqualTo(1000);
    assertThat(m.getMemory().getPgFault()).isEqualTo(7);
    assertThat(m.getCpu().getUsage().getTotal()).isEqualTo(300);
    assertThat(m.getCpu().getUsage().getPerCpuList()).containsExactly(100L, 200L);
    assertThat(m.getCpu().getThrottling().getThrottledPeriods()).isEqualTo(2);
    assertThat(m.getPids().getCurrent()).isEqualTo(1);
    assertThat(m.getPids().getLimit()).isZero(); // "max" is 0 for containerd
    assertThat(m.getBlkio().getIoServiceBytesRecursive(0).getOp()).isEqualTo("Read");
    assertThat(m.getHugetlb(0).getPagesize()).isEqualTo("2MB");
    assertThat(MetricsMapper.v1(s).getDescriptorForType().getFullName()).isEqualTo("io.containerd.cgroups.v1.Metrics");
  }

  /**
   * containerd's CRI reads a container's memory from the hierarchical counters: working set =
   * usage - total_inactive_file, page faults = total_pgfault and total_pgmajfault, rss =
   * total_rss. Without them a container's page cache counted as working set and its page
   * faults as 0.
   */
  @Test
  void sendsTheHierarchicalMemoryCountersTheCriReads() throws Exception {
    Map<String, Long> stat = new java.util.HashMap<>();
    long n = 1;
    for (String key : List.of("rss_huge", "mapped_file", "dirty", "writeback", "pgpgin", "pgpgout", "pgfault", "pgmajfault",
        "inactive_anon", "active_anon", "inactive_file", "active_file", "unevictable")) {
      stat.put("total_" + key, 1000 + n++);
    }
    var s = new CgroupStats(null,
        new CgroupStats.Memory(0, new CgroupStats.MemoryEntry(0, 17625088, 17625088, 0),
            CgroupStats.MemoryEntry.NONE, CgroupStats.MemoryEntry.NONE, CgroupStats.MemoryEntry.NONE, stat),
        null, null, null);
    var m = Metrics.parseFrom(MetricsMapper.v1(s).toByteArray()).getMemory();
    assertThat(List.of(m.getTotalRssHuge(), m.getTotalMappedFile(), m.getTotalDirty(), m.getTotalWriteback(), m.getTotalPgPgIn(),
        m.getTotalPgPgOut(), m.getTotalPgFault(), m.getTotalPgMajFault(), m.getTotalInactiveAnon(), m.getTotalActiveAnon(),
        m.getTotalInactiveFile(), m.getTotalActiveFile(), m.getTotalUnevictable()))
        .containsExactly(1001L, 1002L, 1003L, 1004L, 1005L, 1006L, 1007L, 1008L, 1009L, 1010L, 1011L, 1012L, 1013L);
    // the field numbers of containerd/cgroups' MemoryStat: total_pg_fault 26, total_inactive_file 30
    assertThat(m.getUnknownFields().asMap()).isEmpty();
    assertThat(m.getDescriptorForType().findFieldByName("total_pg_fault").getNumber()).isEqualTo(26);
    assertThat(m.getDescriptorForType().findFieldByName("total_inactive_file").getNumber()).isEqualTo(30);
  }

  /**
   * On a cgroup v2 host memory.stat has v2's names and no total_ counters: the CRI's working set
   * (usage - total_inactive_file), rss (total_rss) and page faults (total_pgfault) come from
   * v2's hierarchical counters under v1's names.
   */
  @Test
  void aV2MemoryStatFillsTheV1CountersTheCriReads() throws Exception {
    Map<String, Long> stat = Map.of("anon", 700L, "file", 16_000L, "anon_thp", 0L, "file_mapped", 30L, "file_dirty", 4L,
        "file_writeback", 2L, "inactive_file", 15_000L, "active_file", 1_000L, "pgfault", 430L, "pgmajfault", 3L);
    var s = new CgroupStats(null,
        new CgroupStats.Memory(16_000L, new CgroupStats.MemoryEntry(64L << 20, 17_000L, 0, 0),
            CgroupStats.MemoryEntry.NONE, CgroupStats.MemoryEntry.NONE, CgroupStats.MemoryEntry.NONE, stat),
        null, null, null);
    var m = Metrics.parseFrom(MetricsMapper.v1(s).toByteArray()).getMemory();
    assertThat(m.getTotalInactiveFile()).isEqualTo(15_000L);
    assertThat(m.getUsage().getUsage() - m.getTotalInactiveFile()).as("the CRI's working set").isEqualTo(2_000L);
    assertThat(List.of(m.getTotalRss(), m.getTotalCache(), m.getTotalPgFault(), m.getTotalPgMajFault(), m.getTotalMappedFile(),
        m.getTotalActiveFile())).containsExactly(700L, 16_000L, 430L, 3L, 30L, 1_000L);
    assertThat(List.of(m.getRss(), m.getCache(), m.getPgFault(), m.getDirty(), m.getWriteback())).containsExactly(700L, 16_000L, 430L, 4L, 2L);
    // a v1 memory.stat is sent as it is
    assertThat(MetricsMapper.v1Names(Map.of("total_cache", 5L, "cache", 5L, "rss", 1L))).isEqualTo(Map.of("total_cache", 5L, "cache", 5L, "rss", 1L));
  }

  /**
   * On a cgroup v2 host the shim sends v2's message, as containerd's own shim does: memory.stat's
   * counters under their own names, cpu.stat in microseconds, io.stat's line per device, and
   * "max" as 2^64-1. The CRI reads the working set as usage - inactive_file, rss as anon.
   */
  @Test
  void aCgroupV2HostGetsV2MetricsWithContainerdsFieldNumbers() throws Exception {
    Map<String, Long> stat = Map.of("anon", 700L, "file", 16_000L, "inactive_file", 15_000L, "pgfault", 430L,
        "pgmajfault", 3L, "slab_reclaimable", 9L, "workingset_refault_file", 5L);
    var s = new CgroupStats(
        new CgroupStats.Cpu(new CgroupStats.CpuUsage(7_000_000, List.of(), List.of(), List.of(), 2_000_000, 5_000_000),
            new CgroupStats.Throttling(10, 4, 3_000_000)),
        new CgroupStats.Memory(16_000L, new CgroupStats.MemoryEntry(Long.MAX_VALUE, 17_000L, 20_000L, 2),
            new CgroupStats.MemoryEntry(Long.MAX_VALUE, 17_512L, 0, 0), CgroupStats.MemoryEntry.NONE,
            CgroupStats.MemoryEntry.NONE, stat),
        new CgroupStats.Pids(3, 0),
        new CgroupStats.Blkio(
            List.of(new CgroupStats.BlkioEntry(8, 0, "Read", 4096), new CgroupStats.BlkioEntry(8, 0, "Write", 512),
                new CgroupStats.BlkioEntry(253, 1, "Read", 100)),
            List.of(new CgroupStats.BlkioEntry(8, 0, "Read", 2), new CgroupStats.BlkioEntry(8, 0, "Write", 1))),
        Map.of("2MB", new CgroupStats.Hugetlb(2_097_152, 0, 0)));
    var sent = MetricsMapper.v2(s, 1);
    assertThat(sent.getDescriptorForType().getFullName()).isEqualTo("io.containerd.cgroups.v2.Metrics");
    var m = io.jrunc.shim.proto.v2.Metrics.parseFrom(sent.toByteArray());
    assertThat(List.of(m.getCpu().getUsageUsec(), m.getCpu().getUserUsec(), m.getCpu().getSystemUsec(), m.getCpu().getNrPeriods(),
        m.getCpu().getNrThrottled(), m.getCpu().getThrottledUsec())).containsExactly(7000L, 5000L, 2000L, 10L, 4L, 3000L);
    var mem = m.getMemory();
    assertThat(List.of(mem.getAnon(), mem.getFile(), mem.getInactiveFile(), mem.getPgfault(), mem.getPgmajfault(),
        mem.getSlabReclaimable())).containsExactly(700L, 16_000L, 15_000L, 430L, 3L, 9L);
    assertThat(mem.getUsage() - mem.getInactiveFile()).as("the CRI's working set").isEqualTo(2_000L);
    assertThat(mem.getUsageLimit()).as("max").isEqualTo(-1L);
    assertThat(List.of(mem.getMaxUsage(), mem.getSwapUsage(), mem.getSwapLimit())).containsExactly(20_000L, 512L, -1L);
    assertThat(m.getMemoryEvents().getMax()).isEqualTo(2);
    assertThat(m.getMemoryEvents().getOomKill()).isEqualTo(1);
    assertThat(m.getPids().getCurrent()).isEqualTo(3);
    assertThat(m.getPids().getLimit()).as("max").isEqualTo(-1L);
    assertThat(m.getIo().getUsageList()).hasSize(2);
    var sda = m.getIo().getUsage(0);
    assertThat(List.of(sda.getMajor(), sda.getMinor(), sda.getRbytes(), sda.getWbytes(), sda.getRios(), sda.getWios()))
        .containsExactly(8L, 0L, 4096L, 512L, 2L, 1L);
    assertThat(m.getIo().getUsage(1).getRbytes()).isEqualTo(100);
    assertThat(m.getHugetlb(0).getPagesize()).isEqualTo("2MB");
    assertThat(m.getHugetlb(0).getCurrent()).isEqualTo(2_097_152);
    // containerd/cgroups' cgroup2 field numbers
    assertThat(m.getUnknownFields().asMap()).isEmpty();
    assertThat(mem.getDescriptorForType().findFieldByName("inactive_file").getNumber()).isEqualTo(13);
    assertThat(mem.getDescriptorForType().findFieldByName("usage").getNumber()).isEqualTo(32);
    assertThat(m.getDescriptorForType().findFieldByName("memory_events").getNumber()).isEqualTo(8);
  }
}
