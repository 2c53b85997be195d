package io.jrunc.shim;

import io.jrunc.core.api.stats.CgroupStats;
import io.jrunc.shim.proto.BlkIOEntry;
import io.jrunc.shim.proto.BlkIOStat;
import io.jrunc.shim.proto.CPUStat;
import io.jrunc.shim.proto.CPUUsage;
import io.jrunc.shim.proto.HugetlbStat;
import io.jrunc.shim.proto.MemoryEntry;
import io.jrunc.shim.proto.MemoryStat;
import io.jrunc.shim.proto.Metrics;
import io.jrunc.shim.proto.PidsStat;
import io.jrunc.shim.proto.Throttle;
import java.util.List;
import java.util.Map;

/**
 * jrunc's {@link CgroupStats} as the metrics containerd's own shim sends for a task, by the
 * host's cgroup layout as it decides it: {@code io.containerd.cgroups.v1.Metrics} on a cgroup v1
 * or hybrid host ({@link #v1}), {@code io.containerd.cgroups.v2.Metrics} on a cgroup v2 one
 * ({@link #v2}). {@code ctr task metrics} and the CRI decode either by its type URL; the CRI
 * computes a container's working set, rss and page faults from the memory counters of each.
 */
final class MetricsMapper {
  private MetricsMapper() {}

  /** v1: pids, cpu usage and throttling, memory usage/swap/kernel with the counters of
   * {@code memory.stat} (the cgroup's own and the {@code total_} ones of its subtree), blkio,
   * hugetlb. */
  static Metrics v1(CgroupStats s) {
    Metrics.Builder m = Metrics.newBuilder();
    if (s.pids() != null) {
      m.setPids(PidsStat.newBuilder().setCurrent(s.pids().current()).setLimit(unlimitedAsZero(s.pids().limit())));
    }
    if (s.cpu() != null) {
      CPUStat.Builder c = CPUStat.newBuilder();
      var u = s.cpu().usage();
      if (u != null) {
        CPUUsage.Builder cu = CPUUsage.newBuilder().setTotal(u.total()).setKernel(u.kernel()).setUser(u.user());
        if (u.percpu() != null) cu.addAllPerCpu(u.percpu());
        c.setUsage(cu);
      }
      var t = s.cpu().throttling();
      if (t != null) {
        c.setThrottling(Throttle.newBuilder().setPeriods(t.periods()).setThrottledPeriods(t.throttledPeriods())
            .setThrottledTime(t.throttledTime()));
      }
      m.setCpu(c);
    }
    if (s.memory() != null) {
      var mem = s.memory();
      Map<String, Long> raw = v1Names(mem.raw() == null ? Map.of() : mem.raw());
      MemoryStat.Builder b = MemoryStat.newBuilder()
          .setCache(raw.getOrDefault("cache", mem.cache()))
          .setRss(raw.getOrDefault("rss", 0L)).setRssHuge(raw.getOrDefault("rss_huge", 0L))
          .setMappedFile(raw.getOrDefault("mapped_file", 0L)).setDirty(raw.getOrDefault("dirty", 0L))
          .setWriteback(raw.getOrDefault("writeback", 0L)).setPgPgIn(raw.getOrDefault("pgpgin", 0L))
          .setPgPgOut(raw.getOrDefault("pgpgout", 0L)).setPgFault(raw.getOrDefault("pgfault", 0L))
          .setPgMajFault(raw.getOrDefault("pgmajfault", 0L))
          .setInactiveAnon(raw.getOrDefault("inactive_anon", 0L)).setActiveAnon(raw.getOrDefault("active_anon", 0L))
          .setInactiveFile(raw.getOrDefault("inactive_file", 0L)).setActiveFile(raw.getOrDefault("active_file", 0L))
          .setUnevictable(raw.getOrDefault("unevictable", 0L))
          .setHierarchicalMemoryLimit(raw.getOrDefault("hierarchical_memory_limit", 0L))
          .setHierarchicalSwapLimit(raw.getOrDefault("hierarchical_memsw_limit", 0L))
          .setTotalCache(raw.getOrDefault("total_cache", 0L)).setTotalRss(raw.getOrDefault("total_rss", 0L))
          // the hierarchical counters (the container's cgroup and below) are what the CRI
          // reports: working set = usage - total_inactive_file, page faults, rss
          .setTotalRssHuge(raw.getOrDefault("total_rss_huge", 0L))
          .setTotalMappedFile(raw.getOrDefault("total_mapped_file", 0L)).setTotalDirty(raw.getOrDefault("total_dirty", 0L))
          .setTotalWriteback(raw.getOrDefault("total_writeback", 0L))
          .setTotalPgPgIn(raw.getOrDefault("total_pgpgin", 0L)).setTotalPgPgOut(raw.getOrDefault("total_pgpgout", 0L))
          .setTotalPgFault(raw.getOrDefault("total_pgfault", 0L)).setTotalPgMajFault(raw.getOrDefault("total_pgmajfault", 0L))
          .setTotalInactiveAnon(raw.getOrDefault("total_inactive_anon", 0L))
          .setTotalActiveAnon(raw.getOrDefault("total_active_anon", 0L))
          .setTotalInactiveFile(raw.getOrDefault("total_inactive_file", 0L))
          .setTotalActiveFile(raw.getOrDefault("total_active_file", 0L))
          .setTotalUnevictable(raw.getOrDefault("total_unevictable", 0L));
      if (mem.usage() != null) b.setUsage(entry(mem.usage()));
      if (mem.swap() != null) b.setSwap(entry(mem.swap()));
      if (mem.kernel() != null) b.setKernel(entry(mem.kernel()));
      if (mem.kernelTCP() != null) b.setKernelTcp(entry(mem.kernelTCP()));
      m.setMemory(b);
    }
    if (s.blkio() != null) {
      m.setBlkio(BlkIOStat.newBuilder()
          .addAllIoServiceBytesRecursive(blkio(s.blkio().ioServiceBytesRecursive()))
          .addAllIoServicedRecursive(blkio(s.blkio().ioServicedRecursive())));
    }
    if (s.hugetlb() != null) {
      s.hugetlb().forEach((size, h) -> m.addHugetlb(HugetlbStat.newBuilder().setPagesize(size)
          .setUsage(h.usage()).setMax(h.max()).setFailcnt(h.failcnt())));
    }
    return m.build();
  }

  /**
   * cgroup v2's memory.stat names for the v1 counters this message carries (v1 name, v2 name).
   * v2 has no pgpgin/pgpgout; its counters already cover the cgroup and its descendants.
   */
  private static final String[][] V2_NAMES = {
      {"cache", "file"}, {"rss", "anon"}, {"rss_huge", "anon_thp"}, {"mapped_file", "file_mapped"},
      {"dirty", "file_dirty"}, {"writeback", "file_writeback"}, {"pgfault", "pgfault"}, {"pgmajfault", "pgmajfault"},
      {"inactive_anon", "inactive_anon"}, {"active_anon", "active_anon"}, {"inactive_file", "inactive_file"},
      {"active_file", "active_file"}, {"unevictable", "unevictable"}};

  /**
   * {@code raw} with v1's names: a cgroup v1 memory.stat as it is; a v2 one (it has {@code anon}
   * and no {@code total_cache}) with each v1 counter and its {@code total_} twin set from v2's
   * counter, which is hierarchical already. Without them, on a v2 host, containerd's CRI
   * computed a container's working set as its whole usage (usage - total_inactive_file) and its
   * rss and page faults as 0 from this v1 message.
   */
  static Map<String, Long> v1Names(Map<String, Long> raw) {
    if (raw.containsKey("total_cache") || !raw.containsKey("anon")) return raw;
    Map<String, Long> out = new java.util.HashMap<>(raw);
    for (String[] n : V2_NAMES) {
      Long v = raw.get(n[1]);
      if (v == null) continue;
      out.put(n[0], v);
      out.put("total_" + n[0], v);
    }
    return out;
  }

  private static MemoryEntry entry(CgroupStats.MemoryEntry e) {
    return MemoryEntry.newBuilder().setLimit(e.limit()).setUsage(e.usage()).setMax(e.max()).setFailcnt(e.failcnt()).build();
  }

  private static List<BlkIOEntry> blkio(List<CgroupStats.BlkioEntry> in) {
    if (in == null) return List.of();
    return in.stream().map(e -> BlkIOEntry.newBuilder().setMajor(e.major()).setMinor(e.minor())
        .setOp(e.op() == null ? "" : e.op()).setValue(e.value()).build()).toList();
  }

  /**
   * v2, from a cgroup v2 {@link CgroupStats}: pids, cpu.stat in microseconds, memory.stat's
   * counters under their own names with memory.current and memory.max, the swap's own usage and
   * limit (CgroupStats carries v1's memory+swap, as runc's stats do), memory.peak, the count of
   * memory.events' {@code max}, and {@code oomKills} (its {@code oom_kill}, which CgroupStats
   * does not carry), io.stat per device, hugetlb usage. An unlimited limit is 2^64-1,
   * containerd's reading of "max". Not carried: rdma, memory.events' other counters.
   */
  static io.jrunc.shim.proto.v2.Metrics v2(CgroupStats s, long oomKills) {
    var m = io.jrunc.shim.proto.v2.Metrics.newBuilder();
    if (s.pids() != null) {
      // CgroupStats' pids limit 0 is runc's "no limit" (pids.max's "max")
      m.setPids(io.jrunc.shim.proto.v2.PidsStat.newBuilder().setCurrent(s.pids().current())
          .setLimit(s.pids().limit() == 0 || s.pids().limit() == Long.MAX_VALUE ? MAX_U64 : s.pids().limit()));
    }
    if (s.cpu() != null) {
      var c = io.jrunc.shim.proto.v2.CPUStat.newBuilder();
      var u = s.cpu().usage();
      if (u != null) c.setUsageUsec(u.total() / 1000).setUserUsec(u.user() / 1000).setSystemUsec(u.kernel() / 1000);
      var t = s.cpu().throttling();
      if (t != null) c.setNrPeriods(t.periods()).setNrThrottled(t.throttledPeriods()).setThrottledUsec(t.throttledTime() / 1000);
      m.setCpu(c);
    }
    if (s.memory() != null) {
      var mem = s.memory();
      Map<String, Long> raw = mem.raw() == null ? Map.of() : mem.raw();
      var b = io.jrunc.shim.proto.v2.MemoryStat.newBuilder();
      // memory.stat's names are the message's field names
      var fields = b.getDescriptorForType();
      raw.forEach((k, v) -> {
        var f = fields.findFieldByName(k);
        if (f != null && f.getType() == com.google.protobuf.Descriptors.FieldDescriptor.Type.UINT64
            && !MEMORY_FILES.contains(k)) {
          b.setField(f, v);
        }
      });
      CgroupStats.MemoryEntry usage = mem.usage(), swap = mem.swap();
      if (usage != null) {
        b.setUsage(usage.usage()).setUsageLimit(u64(usage.limit())).setMaxUsage(usage.max());
        m.setMemoryEvents(io.jrunc.shim.proto.v2.MemoryEvents.newBuilder().setMax(usage.failcnt()).setOomKill(oomKills));
        if (swap != null && swap != CgroupStats.MemoryEntry.NONE) {
          // memory+swap less memory; unlimited when either is (memory+swap is then unlimited too,
          // so a swap limit under no memory limit reads as unlimited)
          b.setSwapUsage(Math.max(0, swap.usage() - usage.usage()));
          b.setSwapLimit(swap.limit() == Long.MAX_VALUE || usage.limit() == Long.MAX_VALUE ? MAX_U64
              : Math.max(0, swap.limit() - usage.limit()));
        }
      }
      m.setMemory(b);
    }
    if (s.blkio() != null) {
      // io.stat's line per device, which CgroupStats splits into v1's byte and op lists
      Map<Long, io.jrunc.shim.proto.v2.IOEntry.Builder> dev = new java.util.LinkedHashMap<>();
      for (boolean bytes : new boolean[] {true, false}) {
        var list = bytes ? s.blkio().ioServiceBytesRecursive() : s.blkio().ioServicedRecursive();
        if (list == null) continue;
        for (CgroupStats.BlkioEntry e : list) {
          var d = dev.computeIfAbsent(e.major() << 32 | e.minor(),
              k -> io.jrunc.shim.proto.v2.IOEntry.newBuilder().setMajor(e.major()).setMinor(e.minor()));
          boolean read = "Read".equals(e.op());
          if (!read && !"Write".equals(e.op())) continue;
          if (bytes) {
            if (read) d.setRbytes(e.value()); else d.setWbytes(e.value());
          } else {
            if (read) d.setRios(e.value()); else d.setWios(e.value());
          }
        }
      }
      var ioStat = io.jrunc.shim.proto.v2.IOStat.newBuilder();
      dev.values().forEach(ioStat::addUsage);
      m.setIo(ioStat);
    }
    if (s.hugetlb() != null) {
      s.hugetlb().forEach((size, h) -> m.addHugetlb(io.jrunc.shim.proto.v2.HugeTlbStat.newBuilder().setPagesize(size)
          .setCurrent(h.usage())));
    }
    return m.build();
  }

  /** 2^64-1 as a uint64 field holds it: containerd's value for a v2 limit of "max". */
  private static final long MAX_U64 = -1L;

  /** memory.stat has no such keys, but the message's fields of these names come from other files. */
  private static final java.util.Set<String> MEMORY_FILES =
      java.util.Set.of("usage", "usage_limit", "swap_usage", "swap_limit", "max_usage", "swap_max_usage");

  private static long u64(long limit) {
    return limit == Long.MAX_VALUE ? MAX_U64 : limit;
  }

  /** containerd reports "no limit" as 0 for pids (cgroups' "max"). */
  private static long unlimitedAsZero(long v) {
    return v == Long.MAX_VALUE ? 0 : v;
  }
}
