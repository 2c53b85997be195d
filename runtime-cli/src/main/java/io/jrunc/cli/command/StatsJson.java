package io.jrunc.cli.command;

import io.jrunc.core.api.stats.CgroupStats;
import io.jrunc.spec.JsonText;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code events}' lines, written by hand: through jackson-databind, {@code events --stats} read
 * and introspected ~650 classes (databind, the records' annotations) in a fresh JVM. The bytes
 * are those of {@code Json.mapper().writeValueAsString(new Event(type, id, data))}, which
 * StatsJsonTest compares: runc's field names and order, null fields and map values left out,
 * the {@code NON_EMPTY} lists of {@link CgroupStats.CpuUsage} and {@link CgroupStats.CpuSet} left
 * out when empty, {@code network_interfaces} always there, map entries by key, strings escaped as Go
 * escapes them ({@link JsonText}). A value in {@code intel_rdt} other than a string, number,
 * boolean, list or map (none jrunc makes) is written by the mapper.
 */
final class StatsJson {
  private StatsJson() {}

  /** runc's event object: {"type":"stats"|"oom","id":...,"data":...}, data left out when null. */
  static String event(String type, String id, CgroupStats data) {
    StringBuilder b = new StringBuilder(data == null ? 64 : 4096).append('{');
    Obj o = new Obj(b);
    if (type != null) JsonText.quote(o.name("type"), type);
    if (id != null) JsonText.quote(o.name("id"), id);
    if (data != null) stats(o.name("data"), data);
    return b.append('}').toString();
  }

  private static void stats(StringBuilder b, CgroupStats s) {
    Obj o = new Obj(b.append('{'));
    if (s.cpu() != null) cpu(o.name("cpu"), s.cpu());
    if (s.cpuset() != null) cpuset(o.name("cpuset"), s.cpuset());
    if (s.memory() != null) memory(o.name("memory"), s.memory());
    if (s.pids() != null) {
      Obj p = new Obj(o.name("pids").append('{'));
      p.num("current", s.pids().current()).num("limit", s.pids().limit());
      b.append('}');
    }
    if (s.blkio() != null) {
      Obj k = new Obj(o.name("blkio").append('{'));
      blkio(k, "ioServiceBytesRecursive", s.blkio().ioServiceBytesRecursive());
      blkio(k, "ioServicedRecursive", s.blkio().ioServicedRecursive());
      b.append('}');
    }
    if (s.hugetlb() != null) {
      Obj h = new Obj(o.name("hugetlb").append('{'));
      for (Map.Entry<String, CgroupStats.Hugetlb> e : new TreeMap<>(s.hugetlb()).entrySet()) {
        CgroupStats.Hugetlb v = e.getValue();
        if (v == null) continue; // NON_NULL, as in every map
        Obj x = new Obj(h.name(e.getKey()).append('{'));
        x.num("usage", v.usage()).num("max", v.max()).num("failcnt", v.failcnt());
        b.append('}');
      }
      b.append('}');
    }
    if (s.intelRdt() != null) value(o.name("intel_rdt"), s.intelRdt());
    value(o.name("network_interfaces"), s.networkInterfaces());
    b.append('}');
  }

  private static void cpu(StringBuilder b, CgroupStats.Cpu c) {
    Obj o = new Obj(b.append('{'));
    CgroupStats.CpuUsage u = c.usage();
    if (u != null) {
      Obj x = new Obj(o.name("usage").append('{'));
      x.num("total", u.total()).nonEmpty("percpu", u.percpu()).nonEmpty("percpu_kernel", u.percpuKernel())
          .nonEmpty("percpu_user", u.percpuUser()).num("kernel", u.kernel()).num("user", u.user());
      b.append('}');
    }
    CgroupStats.Throttling t = c.throttling();
    if (t != null) {
      Obj x = new Obj(o.name("throttling").append('{'));
      x.num("periods", t.periods()).num("throttledPeriods", t.throttledPeriods()).num("throttledTime", t.throttledTime());
      b.append('}');
    }
    b.append('}');
  }

  private static void cpuset(StringBuilder b, CgroupStats.CpuSet c) {
    Obj o = new Obj(b.append('{'));
    o.nonEmpty("cpus", c.cpus()).num("cpu_exclusive", c.cpuExclusive()).nonEmpty("mems", c.mems())
        .num("mem_hardwall", c.memHardwall()).num("mem_exclusive", c.memExclusive())
        .num("memory_migrate", c.memoryMigrate()).num("memory_spread_page", c.memorySpreadPage())
        .num("memory_spread_slab", c.memorySpreadSlab()).num("memory_pressure", c.memoryPressure())
        .num("sched_load_balance", c.schedLoadBalance()).num("sched_relax_domain_level", c.schedRelaxDomainLevel());
    b.append('}');
  }

  private static void memory(StringBuilder b, CgroupStats.Memory m) {
    Obj o = new Obj(b.append('{'));
    o.num("cache", m.cache());
    entry(o, "usage", m.usage());
    entry(o, "swap", m.swap());
    entry(o, "kernel", m.kernel());
    entry(o, "kernelTCP", m.kernelTCP());
    if (m.raw() != null) value(o.name("raw"), m.raw());
    b.append('}');
  }

  private static void entry(Obj o, String name, CgroupStats.MemoryEntry e) {
    if (e == null) return;
    Obj x = new Obj(o.name(name).append('{'));
    x.num("limit", e.limit()).num("usage", e.usage()).num("max", e.max()).num("failcnt", e.failcnt());
    o.b.append('}');
  }

  private static void blkio(Obj o, String name, List<CgroupStats.BlkioEntry> entries) {
    if (entries == null) return;
    StringBuilder b = o.name(name).append('[');
    for (int i = 0; i < entries.size(); i++) {
      if (i > 0) b.append(',');
      CgroupStats.BlkioEntry e = entries.get(i);
      if (e == null) {
        b.append("null");
        continue;
      }
      Obj x = new Obj(b.append('{'));
      x.num("major", e.major()).num("minor", e.minor());
      if (e.op() != null) JsonText.quote(x.name("op"), e.op());
      x.num("value", e.value());
      b.append('}');
    }
    b.append(']');
  }

  /** A plain value as the mapper writes it: nulls in a list kept, a map's null values left out. */
  private static void value(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof String s) {
      JsonText.quote(b, s);
    } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
        || v instanceof Boolean) {
      b.append(v);
    } else if (v instanceof Map<?, ?> m && stringKeys(m)) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
        if (e.getValue() == null) continue; // the mapper's NON_NULL holds for map values too
        if (!first) b.append(',');
        first = false;
        JsonText.quote(b, (String) e.getKey()).append(':');
        value(b, e.getValue());
      }
      b.append('}');
    } else if (v instanceof List<?> l) {
      b.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) b.append(',');
        value(b, l.get(i));
      }
      b.append(']');
    } else {
      try {
        b.append(io.jrunc.spec.Json.mapper().writeValueAsString(v));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  private static boolean stringKeys(Map<?, ?> m) {
    for (Object k : m.keySet()) {
      if (!(k instanceof String)) return false;
    }
    return true;
  }

  /** The members of one object: a comma before each but the first. */
  private static final class Obj {
    final StringBuilder b;
    private boolean any;

    Obj(StringBuilder b) {
      this.b = b;
    }

    StringBuilder name(String n) {
      if (any) b.append(',');
      any = true;
      return JsonText.quote(b, n).append(':');
    }

    Obj num(String n, long v) {
      name(n).append(v);
      return this;
    }

    /** A NON_EMPTY list of numbers: left out when null or empty. */
    Obj nonEmpty(String n, List<? extends Number> v) {
      if (v != null && !v.isEmpty()) value(name(n), v);
      return this;
    }
  }
}
