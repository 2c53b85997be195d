package io.jrunc.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.api.stats.CgroupStats;
import io.jrunc.core.api.stats.CgroupStats.BlkioEntry;
import io.jrunc.core.api.stats.CgroupStats.Cpu;
import io.jrunc.core.api.stats.CgroupStats.CpuSet;
import io.jrunc.core.api.stats.CgroupStats.CpuUsage;
import io.jrunc.core.api.stats.CgroupStats.Hugetlb;
import io.jrunc.core.api.stats.CgroupStats.Memory;
import io.jrunc.core.api.stats.CgroupStats.MemoryEntry;
import io.jrunc.core.api.stats.CgroupStats.Pids;
import io.jrunc.core.api.stats.CgroupStats.Throttling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link StatsJson} writes the bytes the mapper writes for runc's event object (events before round 30). */
class StatsJsonTest {
  /** runc's event object as EventsCommand gave it to the mapper. */
  record Event(String type, String id, Object data) {}

  private static String mapper(String type, String id, CgroupStats data) throws Exception {
    return io.jrunc.spec.Json.mapper().writeValueAsString(new Event(type, id, data));
  }

  private static void same(String type, String id, CgroupStats data) throws Exception {
    assertThat(StatsJson.event(type, id, data)).isEqualTo(mapper(type, id, data));
  }

  @Test
  void aFullV1SampleIsWrittenAsTheMapperWritesIt() throws Exception {
    Map<String, Long> raw = new HashMap<>();
    raw.put("total_rss", 4096L);
    raw.put("cache", 0L);
    raw.put("hierarchical_memory_limit", Long.MAX_VALUE);
    Map<String, Hugetlb> huge = new HashMap<>();
    huge.put("2MB", new Hugetlb(0, 0, 0));
    huge.put("1GB", new Hugetlb(1, 2, 3));
    CgroupStats s = new CgroupStats(
        new Cpu(new CpuUsage(2124014, List.of(1865571L, 258443L), List.of(0L, 0L), List.of(5L, 6L), 7, 8),
            new Throttling(1, 2, 3)),
        new Memory(12, new MemoryEntry(Long.MAX_VALUE, 524288, 524288, 0), new MemoryEntry(1, 2, 3, 4), MemoryEntry.NONE,
            new MemoryEntry(-1, 0, 0, 0), raw),
        new Pids(1, 0),
        new CgroupStats.Blkio(List.of(new BlkioEntry(8, 0, "Read", 4096), new BlkioEntry(8, 0, "Total", 4096)), List.of()),
        huge).withCpuset(new CpuSet(List.of(0, 1), 0, List.of(0), 0, 0, 0, 0, 0, 0, 1, 0));
    same("stats", "ev1", s);
    assertThat(StatsJson.event("stats", "ev1", s)).startsWith("{\"type\":\"stats\",\"id\":\"ev1\",\"data\":{\"cpu\":");
  }

  @Test
  void emptyNullAndZeroPartsFollowTheMappersRules() throws Exception {
    // NON_EMPTY lists left out, zero totals kept, null records and maps left out, network_interfaces always
    same("stats", "x", new CgroupStats(new Cpu(new CpuUsage(0, List.of(), null, null, 0, 0), null), null, null, null, null));
    same("stats", "x", new CgroupStats(null, CpuSet.NONE, null, null, null, null, null, null));
    same("stats", "x", new CgroupStats(new Cpu(null, new Throttling(0, 0, 0)),
        new Memory(0, null, null, null, null, Map.of()), new Pids(0, 0), new CgroupStats.Blkio(null, null), Map.of()));
    same("stats", "x", new CgroupStats(null, new CpuSet(null, 0, null, 0, 0, 0, 0, 0, 0, 0, 0), null, null, null, null, null,
        List.of()));
    same("oom", "x", null);
    same(null, null, null);
  }

  @Test
  void nullsInsideListsAndMapsAndStringsToEscape() throws Exception {
    List<BlkioEntry> entries = new ArrayList<>(Arrays.asList(new BlkioEntry(1, 2, null, 3), null,
        new BlkioEntry(1, 2, "a\"b<c>&\u2028\n\t\u0001é", 3)));
    Map<String, Hugetlb> huge = new HashMap<>();
    huge.put("b", null);
    huge.put("a<", new Hugetlb(1, 1, 1));
    Map<String, Long> raw = new HashMap<>();
    raw.put("z", null);
    raw.put("\"q\"", 1L);
    Map<String, Object> rdt = new LinkedHashMap<>();
    rdt.put("z", List.of("s", 1, true, Map.of("k", 2L)));
    rdt.put("a", null);
    rdt.put("n", 1.5); // a value jrunc never makes: written by the mapper
    same("stats", "id \"x\" <&>", new CgroupStats(null, null, new Memory(0, null, null, null, null, raw), null,
        new CgroupStats.Blkio(entries, entries), huge, rdt, null));
  }
}
