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
public record CgroupStats(Cpu cpu, Memory memory, Pids pids, Blkio blkio, Map<String, Hugetlb> hugetlb) {

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
