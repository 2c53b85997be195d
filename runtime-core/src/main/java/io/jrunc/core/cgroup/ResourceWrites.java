package io.jrunc.core.cgroup;

import io.jrunc.spec.LinuxBlockIO;
import io.jrunc.spec.LinuxCPU;
import io.jrunc.spec.LinuxHugepageLimit;
import io.jrunc.spec.LinuxInterfacePriority;
import io.jrunc.spec.LinuxMemory;
import io.jrunc.spec.LinuxNetwork;
import io.jrunc.spec.LinuxPids;
import io.jrunc.spec.LinuxRdma;
import io.jrunc.spec.LinuxResources;
import io.jrunc.spec.LinuxThrottleDevice;
import io.jrunc.spec.LinuxWeightDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Translates {@code linux.resources} into the file writes each cgroup version needs, as runc
 * does (libcontainer/cgroups/fs/*.go for v1, fs2/*.go for v2). Pure: the only input besides the
 * config is {@link Current}, which answers the few reads the order of writes depends on.
 *
 * <p>A zero (or null, or empty string) means "leave as is", which is also what the zero values
 * Docker sends in {@code update} mean; -1 means "unlimited" where the kernel has one.
 *
 * <table>
 * <caption>v1 / v2 files per field</caption>
 * <tr><th>field</th><th>v1</th><th>v2</th></tr>
 * <tr><td>memory.limit</td><td>memory.limit_in_bytes</td><td>memory.max</td></tr>
 * <tr><td>memory.reservation</td><td>memory.soft_limit_in_bytes</td><td>memory.low</td></tr>
 * <tr><td>memory.swap (memory+swap)</td><td>memory.memsw.limit_in_bytes</td><td>memory.swap.max = swap - limit</td></tr>
 * <tr><td>memory.kernel / kernelTCP</td><td>memory.kmem[.tcp].limit_in_bytes</td><td>error (no such knob)</td></tr>
 * <tr><td>memory.swappiness / disableOOMKiller / useHierarchy</td><td>memory.swappiness / oom_control / use_hierarchy</td><td>error (no such knob)</td></tr>
 * <tr><td>cpu.shares</td><td>cpu.shares</td><td>cpu.weight (runc's quadratic log-scale mapping)</td></tr>
 * <tr><td>cpu.quota / period</td><td>cpu.cfs_period_us, cpu.cfs_quota_us</td><td>cpu.max "quota period"</td></tr>
 * <tr><td>cpu.burst / idle</td><td>cpu.cfs_burst_us / cpu.idle</td><td>cpu.max.burst / cpu.idle</td></tr>
 * <tr><td>cpu.realtimeRuntime / Period</td><td>cpu.rt_runtime_us / cpu.rt_period_us</td><td>error</td></tr>
 * <tr><td>cpu.cpus / mems</td><td colspan="2">cpuset.cpus / cpuset.mems</td></tr>
 * <tr><td>pids.limit</td><td colspan="2">pids.max</td></tr>
 * <tr><td>blockIO.weight</td><td>blkio.bfq.weight or blkio.weight</td><td>io.bfq.weight, else io.weight (converted)</td></tr>
 * <tr><td>blockIO.throttle*</td><td>blkio.throttle.{read,write}_{bps,iops}_device</td><td>io.max "maj:min rbps=N"…</td></tr>
 * <tr><td>hugepageLimits</td><td>hugetlb.SIZE.limit_in_bytes (+ .rsvd.)</td><td>hugetlb.SIZE.max (+ .rsvd.)</td></tr>
 * <tr><td>network</td><td>net_cls.classid, net_prio.ifpriomap</td><td>error</td></tr>
 * <tr><td>rdma</td><td colspan="2">rdma.max "dev hca_handle=N hca_object=M"</td></tr>
 * <tr><td>unified</td><td>error</td><td>written as given</td></tr>
 * </table>
 */
public final class ResourceWrites {
  private ResourceWrites() {}

  /** Answers reads of the current cgroup: file content, or null when the file does not exist. */
  @FunctionalInterface
  public interface Current {
    String read(String controller, String file);

    Current NONE = (c, f) -> null;
  }

  static final String R = "linux.resources.";

  // ---------------------------------------------------------------- v1

  public static List<Write> v1(LinuxResources r, Current cur) throws CgroupException {
    List<Write> w = new ArrayList<>();
    if (r == null) return w;
    validate(r);
    if (r.unified() != null && !r.unified().isEmpty()) {
      // runc's words ("invalid configuration: cannot use unified on cgroup v1"), then which settings
      throw new CgroupException(R + "unified: invalid configuration: cannot use unified on cgroup v1 (this host uses"
          + " cgroup v1; " + String.join(", ", new TreeMap<>(r.unified()).keySet()) + " need cgroup v2)");
    }
    memoryV1(r.memory(), cur, w);
    cpuV1(r.cpu(), w);
    cpuset(r.cpu(), w);
    pids(r.pids(), w);
    blkioV1(r.blockIO(), cur, w);
    hugetlb(r.hugepageLimits(), cur, true, w);
    network(r.network(), w);
    rdma(r.rdma(), w);
    return w;
  }

  private static void memoryV1(LinuxMemory m, Current cur, List<Write> w) throws CgroupException {
    if (m == null) return;
    long limit = z(m.limit()), swap = z(m.swap());
    if (limit == -1 && swap == 0) swap = -1; // runc: unlimited memory and no swap given: both unlimited
    if (m.checkBeforeUpdate() == Boolean.TRUE) checkUsage(cur, "memory.usage_in_bytes", limit, swap);
    Write lw = limit != 0 ? new Write("memory", "memory.limit_in_bytes", Long.toString(limit), R + "memory.limit") : null;
    Write sw = swap != 0 ? new Write("memory", "memory.memsw.limit_in_bytes", Long.toString(swap), R + "memory.swap") : null;
    if (lw != null && sw != null) {
      // the kernel keeps limit <= memsw at every moment: raising both writes memsw first
      long curLimit = parseLong(cur.read("memory", "memory.limit_in_bytes"), Long.MAX_VALUE);
      if (swap == -1 || Long.compareUnsigned(curLimit, swap) < 0) {
        w.add(sw);
        w.add(lw);
      } else {
        w.add(lw);
        w.add(sw);
      }
    } else {
      if (lw != null) w.add(lw);
      if (sw != null) w.add(sw);
    }
    if (z(m.reservation()) != 0) w.add(new Write("memory", "memory.soft_limit_in_bytes", Long.toString(m.reservation()), R + "memory.reservation"));
    if (z(m.kernel()) != 0) w.add(new Write("memory", "memory.kmem.limit_in_bytes", Long.toString(m.kernel()), R + "memory.kernel"));
    if (z(m.kernelTCP()) != 0) w.add(new Write("memory", "memory.kmem.tcp.limit_in_bytes", Long.toString(m.kernelTCP()), R + "memory.kernelTCP"));
    if (m.swappiness() != null) w.add(new Write("memory", "memory.swappiness", Long.toString(m.swappiness()), R + "memory.swappiness"));
    if (m.disableOOMKiller() == Boolean.TRUE) w.add(new Write("memory", "memory.oom_control", "1", R + "memory.disableOOMKiller"));
    if (m.useHierarchy() != null) w.add(new Write("memory", "memory.use_hierarchy", m.useHierarchy() ? "1" : "0", R + "memory.useHierarchy"));
  }

  private static void cpuV1(LinuxCPU c, List<Write> w) {
    if (c == null) return;
    if (z(c.shares()) != 0) w.add(new Write("cpu", "cpu.shares", Long.toUnsignedString(c.shares()), R + "cpu.shares"));
    if (z(c.period()) != 0) w.add(new Write("cpu", "cpu.cfs_period_us", Long.toUnsignedString(c.period()), R + "cpu.period"));
    if (z(c.quota()) != 0) w.add(new Write("cpu", "cpu.cfs_quota_us", Long.toString(c.quota()), R + "cpu.quota"));
    if (c.burst() != null) w.add(new Write("cpu", "cpu.cfs_burst_us", Long.toUnsignedString(c.burst()), R + "cpu.burst"));
    // rt_period before rt_runtime: the kernel checks runtime <= period
    if (z(c.realtimePeriod()) != 0) w.add(new Write("cpu", "cpu.rt_period_us", Long.toUnsignedString(c.realtimePeriod()), R + "cpu.realtimePeriod"));
    if (z(c.realtimeRuntime()) != 0) w.add(new Write("cpu", "cpu.rt_runtime_us", Long.toString(c.realtimeRuntime()), R + "cpu.realtimeRuntime"));
    if (c.idle() != null) w.add(new Write("cpu", "cpu.idle", Long.toString(c.idle()), R + "cpu.idle"));
  }

  private static void cpuset(LinuxCPU c, List<Write> w) {
    if (c == null) return;
    if (c.cpus() != null && !c.cpus().isEmpty()) w.add(new Write("cpuset", "cpuset.cpus", c.cpus(), R + "cpu.cpus"));
    if (c.mems() != null && !c.mems().isEmpty()) w.add(new Write("cpuset", "cpuset.mems", c.mems(), R + "cpu.mems"));
  }

  private static void pids(LinuxPids p, List<Write> w) {
    if (p == null || z(p.limit()) == 0) return;
    w.add(new Write("pids", "pids.max", p.limit() < 0 ? "max" : Long.toString(p.limit()), R + "pids.limit"));
  }

  private static void blkioV1(LinuxBlockIO b, Current cur, List<Write> w) {
    if (b == null) return;
    // BFQ (kernel >= 5.0) names the files blkio.bfq.*; CFQ (gone since 5.0) named them blkio.*
    boolean bfq = cur.read("blkio", "blkio.bfq.weight") != null;
    String weight = bfq ? "blkio.bfq.weight" : "blkio.weight";
    String weightDevice = bfq ? "blkio.bfq.weight_device" : "blkio.weight_device";
    if (z(b.weight()) != 0) w.add(new Write("blkio", weight, Long.toString(b.weight()), R + "blockIO.weight"));
    if (z(b.leafWeight()) != 0) w.add(new Write("blkio", "blkio.leaf_weight", Long.toString(b.leafWeight()), R + "blockIO.leafWeight"));
    List<LinuxWeightDevice> wd = b.weightDevice();
    if (wd != null) {
      for (int i = 0; i < wd.size(); i++) {
        LinuxWeightDevice d = wd.get(i);
        String f = R + "blockIO.weightDevice[" + i + "]";
        if (z(d.weight()) != 0) w.add(new Write("blkio", weightDevice, d.major() + ":" + d.minor() + " " + d.weight(), f + ".weight"));
        if (z(d.leafWeight()) != 0) w.add(new Write("blkio", "blkio.leaf_weight_device", d.major() + ":" + d.minor() + " " + d.leafWeight(), f + ".leafWeight"));
      }
    }
    throttleV1(b.throttleReadBpsDevice(), "blkio.throttle.read_bps_device", "throttleReadBpsDevice", w);
    throttleV1(b.throttleWriteBpsDevice(), "blkio.throttle.write_bps_device", "throttleWriteBpsDevice", w);
    throttleV1(b.throttleReadIOPSDevice(), "blkio.throttle.read_iops_device", "throttleReadIOPSDevice", w);
    throttleV1(b.throttleWriteIOPSDevice(), "blkio.throttle.write_iops_device", "throttleWriteIOPSDevice", w);
  }

  private static void throttleV1(List<LinuxThrottleDevice> l, String file, String name, List<Write> w) {
    if (l == null) return;
    for (int i = 0; i < l.size(); i++) {
      LinuxThrottleDevice d = l.get(i);
      w.add(new Write("blkio", file, d.major() + ":" + d.minor() + " " + Long.toUnsignedString(d.rate()), R + "blockIO." + name + "[" + i + "]"));
    }
  }

  private static void hugetlb(List<LinuxHugepageLimit> l, Current cur, boolean v1, List<Write> w) {
    if (l == null) return;
    for (int i = 0; i < l.size(); i++) {
      LinuxHugepageLimit h = l.get(i);
      String f = R + "hugepageLimits[" + i + "]";
      String v = Long.toUnsignedString(h.limit());
      String limit = v1 ? "hugetlb." + h.pageSize() + ".limit_in_bytes" : "hugetlb." + h.pageSize() + ".max";
      String rsvd = v1 ? "hugetlb." + h.pageSize() + ".rsvd.limit_in_bytes" : "hugetlb." + h.pageSize() + ".rsvd.max";
      w.add(new Write("hugetlb", limit, v, f));
      // runc sets the reservation limit to the same value where the kernel (>= 5.7) has it
      if (cur.read("hugetlb", rsvd) != null) w.add(new Write("hugetlb", rsvd, v, f, true));
    }
  }

  private static void network(LinuxNetwork n, List<Write> w) {
    if (n == null) return;
    if (n.classID() != null) w.add(new Write("net_cls", "net_cls.classid", Long.toString(n.classID()), R + "network.classID"));
    List<LinuxInterfacePriority> p = n.priorities();
    if (p != null) {
      for (int i = 0; i < p.size(); i++) {
        w.add(new Write("net_prio", "net_prio.ifpriomap", p.get(i).name() + " " + p.get(i).priority(), R + "network.priorities[" + i + "]"));
      }
    }
  }

  private static void rdma(Map<String, LinuxRdma> m, List<Write> w) {
    if (m == null) return;
    for (var e : new TreeMap<>(m).entrySet()) {
      LinuxRdma r = e.getValue();
      StringBuilder b = new StringBuilder(e.getKey());
      if (r.hcaHandles() != null) b.append(" hca_handle=").append(r.hcaHandles());
      if (r.hcaObjects() != null) b.append(" hca_object=").append(r.hcaObjects());
      if (r.hcaHandles() != null || r.hcaObjects() != null) w.add(new Write("rdma", "rdma.max", b.toString(), R + "rdma." + e.getKey()));
    }
  }

  // ---------------------------------------------------------------- v2

  public static List<Write> v2(LinuxResources r, Current cur) throws CgroupException {
    List<Write> w = new ArrayList<>();
    if (r == null) return w;
    validate(r);
    memoryV2(r.memory(), cur, w);
    cpuV2(r.cpu(), w);
    cpuset(r.cpu(), w);
    pids(r.pids(), w);
    ioV2(r.blockIO(), cur, w);
    hugetlb(r.hugepageLimits(), cur, false, w);
    if (r.network() != null && (r.network().classID() != null || (r.network().priorities() != null && !r.network().priorities().isEmpty()))) {
      throw new CgroupException(R + "network: net_cls/net_prio do not exist on cgroup v2 (use an eBPF program or network namespace tools)");
    }
    rdma(r.rdma(), w);
    if (r.unified() != null) {
      for (var e : new TreeMap<>(r.unified()).entrySet()) {
        String k = e.getKey();
        // the file name itself was checked by validate (the validator's rule)
        if (k.startsWith("cgroup.") && !k.equals("cgroup.max.depth") && !k.equals("cgroup.max.descendants")) {
          throw new CgroupException(R + "unified: \"" + k + "\" is a cgroup core file the runtime manages itself");
        }
        w.add(new Write(k.substring(0, k.indexOf('.')), k, e.getValue(), R + "unified." + k));
      }
    }
    return w;
  }

  private static void memoryV2(LinuxMemory m, Current cur, List<Write> w) throws CgroupException {
    if (m == null) return;
    long limit = z(m.limit()), swap = z(m.swap());
    if (m.checkBeforeUpdate() == Boolean.TRUE) checkUsage(cur, "memory.current", limit, swap);
    long swapV2 = swapToV2(swap, limit);
    String swapStr = swapV2 == -1 ? "max" : swapV2 == 0 ? (swap > 0 ? "0" : null) : Long.toString(swapV2);
    // no swap file: memory.swap.max does not exist; unlimited or no swap is what we have anyway
    if (swapStr != null) w.add(new Write("memory", "memory.swap.max", swapStr, R + "memory.swap", swapStr.equals("max") || swapStr.equals("0")));
    if (limit != 0) w.add(new Write("memory", "memory.max", limit == -1 ? "max" : Long.toString(limit), R + "memory.limit"));
    if (z(m.reservation()) != 0) w.add(new Write("memory", "memory.low", m.reservation() == -1 ? "max" : Long.toString(m.reservation()), R + "memory.reservation"));
    if (z(m.kernel()) != 0) throw new CgroupException(R + "memory.kernel: kernel memory limits do not exist on cgroup v2 (kernel memory is part of memory.max)");
    if (z(m.kernelTCP()) != 0) throw new CgroupException(R + "memory.kernelTCP: kernel TCP memory limits do not exist on cgroup v2 (TCP memory is part of memory.max)");
    if (m.swappiness() != null) throw new CgroupException(R + "memory.swappiness: cgroup v2 has no per-cgroup swappiness");
    if (m.disableOOMKiller() == Boolean.TRUE) throw new CgroupException(R + "memory.disableOOMKiller: cgroup v2 cannot disable the OOM killer for a cgroup");
    if (m.useHierarchy() == Boolean.FALSE) throw new CgroupException(R + "memory.useHierarchy: cgroup v2 is always hierarchical");
  }

  /**
   * runc's ConvertMemorySwapToCgroupV2Value: the spec's swap is memory+swap (v1 semantics),
   * v2's memory.swap.max is swap alone. Returns -1 for unlimited, 0 for "leave as is".
   */
  public static long swapToV2(long memorySwap, long memory) throws CgroupException {
    if (memory == -1 && memorySwap == 0) return -1;
    if (memorySwap == -1 || memorySwap == 0) return memorySwap;
    if (memory == 0 || memory == -1) throw new CgroupException(R + "memory.swap: a swap limit needs a memory limit (linux.resources.memory.limit)");
    if (memorySwap < memory) throw new CgroupException(R + "memory.swap: memory+swap (" + memorySwap + ") must be >= the memory limit (" + memory + ")");
    return memorySwap - memory;
  }

  private static void cpuV2(LinuxCPU c, List<Write> w) throws CgroupException {
    if (c == null) return;
    if (z(c.shares()) != 0) w.add(new Write("cpu", "cpu.weight", Long.toString(sharesToWeight(c.shares())), R + "cpu.shares"));
    long quota = z(c.quota()), period = z(c.period());
    if (quota != 0 || period != 0) {
      // cpu.max "$MAX $PERIOD": "max" for no limit; a period alone keeps the current quota only
      // in runc's reading too (it writes "max <period>"), which is what we do
      String s = quota > 0 ? Long.toString(quota) : "max";
      if (period != 0) s += " " + Long.toUnsignedString(period);
      w.add(new Write("cpu", "cpu.max", s, R + (quota != 0 ? "cpu.quota" : "cpu.period")));
    }
    if (c.burst() != null) w.add(new Write("cpu", "cpu.max.burst", Long.toUnsignedString(c.burst()), R + "cpu.burst"));
    if (c.idle() != null) w.add(new Write("cpu", "cpu.idle", Long.toString(c.idle()), R + "cpu.idle"));
    if (z(c.realtimeRuntime()) != 0 || z(c.realtimePeriod()) != 0) {
      throw new CgroupException(R + "cpu.realtimeRuntime: cgroup v2 has no real-time CPU bandwidth control");
    }
  }

  /**
   * cpu.shares [2..262144] (default 1024) to cpu.weight [1..10000] (default 100), the mapping runc
   * (opencontainers/cgroups since 2025) uses: a quadratic in log2(shares) that maps 2, 1024 and
   * 262144 onto 1, 100 and 10000 exactly (the older linear formula made 1024 -> 39).
   */
  public static long sharesToWeight(long shares) {
    if (shares == 0) return 0;
    if (shares <= 2) return 1;
    if (shares >= 262144) return 10000;
    double l = Math.log(shares) / Math.log(2);
    double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
    return (long) Math.ceil(Math.pow(10, exponent));
  }

  /** runc's ConvertBlkIOToIOWeightValue: blkio weight [10..1000] to io.weight [1..10000]. */
  public static long blkioToIoWeight(long w) {
    if (w == 0) return 0;
    return 1 + (w - 10) * 9999 / 990;
  }

  private static void ioV2(LinuxBlockIO b, Current cur, List<Write> w) throws CgroupException {
    if (b == null) return;
    boolean bfq = cur.read("io", "io.bfq.weight") != null;
    if (z(b.weight()) != 0) {
      if (bfq) w.add(new Write("io", "io.bfq.weight", Long.toString(b.weight()), R + "blockIO.weight"));
      else w.add(new Write("io", "io.weight", "default " + blkioToIoWeight(b.weight()), R + "blockIO.weight"));
    }
    if (z(b.leafWeight()) != 0) throw new CgroupException(R + "blockIO.leafWeight: cgroup v2 has no leaf weight");
    List<LinuxWeightDevice> wd = b.weightDevice();
    if (wd != null) {
      for (int i = 0; i < wd.size(); i++) {
        LinuxWeightDevice d = wd.get(i);
        String f = R + "blockIO.weightDevice[" + i + "]";
        if (z(d.leafWeight()) != 0) throw new CgroupException(f + ".leafWeight: cgroup v2 has no leaf weight");
        if (z(d.weight()) == 0) continue;
        if (bfq) w.add(new Write("io", "io.bfq.weight", d.major() + ":" + d.minor() + " " + d.weight(), f + ".weight"));
        else w.add(new Write("io", "io.weight", d.major() + ":" + d.minor() + " " + blkioToIoWeight(d.weight()), f + ".weight"));
      }
    }
    throttleV2(b.throttleReadBpsDevice(), "rbps", "throttleReadBpsDevice", w);
    throttleV2(b.throttleWriteBpsDevice(), "wbps", "throttleWriteBpsDevice", w);
    throttleV2(b.throttleReadIOPSDevice(), "riops", "throttleReadIOPSDevice", w);
    throttleV2(b.throttleWriteIOPSDevice(), "wiops", "throttleWriteIOPSDevice", w);
  }

  private static void throttleV2(List<LinuxThrottleDevice> l, String key, String name, List<Write> w) {
    if (l == null) return;
    for (int i = 0; i < l.size(); i++) {
      LinuxThrottleDevice d = l.get(i);
      // rate 0 means "no limit" in v1's files; v2 spells it "max"
      String v = d.rate() == 0 ? "max" : Long.toUnsignedString(d.rate());
      w.add(new Write("io", "io.max", d.major() + ":" + d.minor() + " " + key + "=" + v, R + "blockIO." + name + "[" + i + "]"));
    }
  }

  // ---------------------------------------------------------------- validation


  /**
   * Rejects values no kernel accepts, naming the field (the kernel's EINVAL would not): the
   * validator's rules for linux.resources ({@code Validator.resources}), the one place they
   * live; create met them already in config.json, {@code update} meets them here.
   */
  public static void validate(LinuxResources r) throws CgroupException {
    List<io.jrunc.spec.validate.Problem> problems = io.jrunc.spec.validate.Validator.resources(r);
    if (problems.isEmpty()) return;
    List<String> lines = new ArrayList<>();
    for (var p : problems) lines.add(p.jsonPointer() + ": " + p.message());
    throw new CgroupException(String.join("\n", lines));
  }

  /**
   * checkBeforeUpdate: a memory+swap or memory limit at or below what the cgroup uses now is
   * refused, the former first, in runc's words ("rejecting memory limit L <= usage U", which
   * its tests match). Best effort as runc's: an unreadable usage (no cgroup yet) passes.
   */
  private static void checkUsage(Current cur, String usageFile, long limit, long swap) throws CgroupException {
    if (limit <= 0 && swap <= 0) return;
    long u = parseLong(cur.read("memory", usageFile), -1);
    if (u < 0) return;
    if (swap > 0 && swap <= u) {
      throw new CgroupException(R + "memory.swap: rejecting memory+swap limit " + swap + " <= usage " + u + " (checkBeforeUpdate)");
    }
    if (limit > 0 && limit <= u) {
      throw new CgroupException(R + "memory.limit: rejecting memory limit " + limit + " <= usage " + u + " (checkBeforeUpdate)");
    }
  }

  static long z(Long v) {
    return v == null ? 0 : v;
  }

  /** A cgroup number ("max" = {@link Long#MAX_VALUE}), or {@code dflt} when absent or not a number. */
  public static long parseLong(String s, long dflt) {
    if (s == null) return dflt;
    String t = s.strip();
    if (t.equals("max")) return Long.MAX_VALUE;
    try {
      return Long.parseUnsignedLong(t);
    } catch (NumberFormatException e) {
      return dflt;
    }
  }
}
