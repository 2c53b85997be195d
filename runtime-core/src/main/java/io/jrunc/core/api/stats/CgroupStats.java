package io.jrunc.core.api.stats;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A cgroup's usage counters, shaped like the {@code data} of runc's {@code events --stats}
 * (runc's types/events.go): serialise with the project's ObjectMapper for the same JSON.
 * Unlimited limits are reported as {@link Long#MAX_VALUE}. Times are nanoseconds.
 */
public record CgroupStats(Cpu cpu, CpuSet cpuset, Memory memory, Pids pids, Blkio blkio, Map<String, Hugetlb> hugetlb,
    @JsonProperty("intel_rdt") Map<String, Object> intelRdt,
    @JsonProperty("network_interfaces") @JsonInclude(JsonInclude.Include.ALWAYS) List<Object> networkInterfaces) {

  /**
   * Without a cpuset: runc's {@code intel_rdt} is {} (jrunc reads no RDT monitoring) and its
   * {@code network_interfaces} null (runc fills it only for the networks of its own Go API), as
   * runc writes them where they have nothing.
   */
  public CgroupStats(Cpu cpu, Memory memory, Pids pids, Blkio blkio, Map<String, Hugetlb> hugetlb) {
    this(cpu, CpuSet.NONE, memory, pids, blkio, hugetlb, Map.of(), null);
  }

  /** A copy with the cgroup's cpuset. */
  public CgroupStats withCpuset(CpuSet c) {
    return new CgroupStats(cpu, c, memory, pids, blkio, hugetlb, intelRdt, networkInterfaces);
  }

  /**
   * runc's {@code cpuset}: the CPUs and memory nodes as numbers (v2: the effective ones) and the
   * v1 flags (0 on v2, where there are none).
   */
  public record CpuSet(@JsonInclude(JsonInclude.Include.NON_EMPTY) List<Integer> cpus,
      @JsonProperty("cpu_exclusive") long cpuExclusive,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Integer> mems,
      @JsonProperty("mem_hardwall") long memHardwall,
      @JsonProperty("mem_exclusive") long memExclusive,
      @JsonProperty("memory_migrate") long memoryMigrate,
      @JsonProperty("memory_spread_page") long memorySpreadPage,
      @JsonProperty("memory_spread_slab") long memorySpreadSlab,
      @JsonProperty("memory_pressure") long memoryPressure,
      @JsonProperty("sched_load_balance") long schedLoadBalance,
      @JsonProperty("sched_relax_domain_level") long schedRelaxDomainLevel) {
    public static final CpuSet NONE = new CpuSet(List.of(), 0, List.of(), 0, 0, 0, 0, 0, 0, 0, 0);

    /** The numbers of a kernel list ("0-3,7"); an unreadable one gives none. */
    public static List<Integer> numbers(String list) {
      List<Integer> out = new java.util.ArrayList<>();
      if (list == null) return out;
      try {
        for (String part : list.strip().split(",")) {
          if (part.isEmpty()) continue;
          int dash = part.indexOf('-');
          int lo = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
          int hi = dash < 0 ? lo : Integer.parseInt(part.substring(dash + 1));
          for (int i = lo; i <= hi && out.size() < 65536; i++) out.add(i);
        }
      } catch (NumberFormatException e) {
        return List.of();
      }
      return out;
    }
  }

  public record Cpu(CpuUsage usage, Throttling throttling) {}

  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record CpuUsage(long total, List<Long> percpu,
      @JsonProperty("percpu_kernel") List<Long> percpuKernel,
      @JsonProperty("percpu_user") List<Long> percpuUser,
      @JsonInclude(JsonInclude.Include.ALWAYS) long kernel,
      @JsonInclude(JsonInclude.Include.ALWAYS) long user) {}

  public record Throttling(long periods, long throttledPeriods, long throttledTime) {}

  public record MemoryEntry(long limit, long usage, long max, long failcnt) {
    public static final MemoryEntry NONE = new MemoryEntry(0, 0, 0, 0);
  }

  public record Memory(long cache, MemoryEntry usage, MemoryEntry swap, MemoryEntry kernel,
      MemoryEntry kernelTCP, Map<String, Long> raw) {}

  public record Pids(long current, long limit) {}

  public record BlkioEntry(long major, long minor, String op, long value) {}

  public record Blkio(List<BlkioEntry> ioServiceBytesRecursive, List<BlkioEntry> ioServicedRecursive) {}

  public record Hugetlb(long usage, long max, long failcnt) {}
}
