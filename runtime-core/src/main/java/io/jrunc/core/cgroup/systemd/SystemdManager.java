package io.jrunc.core.cgroup.systemd;

import io.jrunc.core.api.stats.CgroupStats;
import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.cgroup.DeviceRule;
import io.jrunc.core.cgroup.FsSupport;
import io.jrunc.core.cgroup.ResourceWrites;
import io.jrunc.core.cgroup.Signals;
import io.jrunc.core.cgroup.v2.V2Manager;
import io.jrunc.spec.LinuxResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The systemd cgroup driver ({@code --systemd-cgroup}) on cgroup v2: the container's cgroup is
 * a transient scope unit {@code <prefix>-<name>.scope} in {@code <slice>}, which systemd creates
 * over D-Bus ({@code org.freedesktop.systemd1.Manager.StartTransientUnit}) with the container's
 * pid in it and {@code Delegate=yes}, so systemd leaves what is below the scope to us.
 *
 * <p>systemd refuses an empty scope, so the scope is made in {@link #addProcess(int)} (call it
 * while the child waits before execve), and the limits are written right after, as runc does:
 * the ones systemd knows also as unit properties (so a {@code daemon-reload} keeps them), all of
 * them to the cgroup files, plus the eBPF device filter.
 *
 * <table>
 * <caption>Unit properties sent</caption>
 * <tr><th>property</th><th>type</th><th>from</th></tr>
 * <tr><td>Description</td><td>s</td><td>"jrunc container ID"</td></tr>
 * <tr><td>Slice</td><td>s</td><td>cgroupsPath slice (default system.slice, user.slice rootless)</td></tr>
 * <tr><td>Delegate, DefaultDependencies</td><td>b</td><td>true, false</td></tr>
 * <tr><td>PIDs</td><td>au</td><td>the container's init pid</td></tr>
 * <tr><td>MemoryAccounting, CPUAccounting, IOAccounting, TasksAccounting</td><td>b</td><td>true</td></tr>
 * <tr><td>MemoryMax, MemoryLow, MemorySwapMax, TasksMax, CPUWeight, CPUQuotaPerSecUSec</td><td>t</td>
 *     <td>memory.limit, .reservation, .swap (as v2's swap), pids.limit, cpu.shares (converted),
 *     cpu.quota/period (infinity for a period without quota)</td></tr>
 * <tr><td>CPUQuotaPeriodUSec (systemd 242), AllowedCPUs, AllowedMemoryNodes (244), CPUWeight 0
 *     (252)</td><td>t, ay, ay, t</td>
 *     <td>cpu.period, cpu.cpus, cpu.mems (bitmasks), cpu.idle 1 (no weight from shares then); a
 *     systemd that refuses them (InvalidArgs) gets the unit without them, and the files the
 *     values</td></tr>
 * <tr><td>the same and MemoryHigh, MemoryMin</td><td>t, ay</td><td>the {@code unified} files of
 *     the same meaning, after the fields above (see {@link #unifiedLimits})</td></tr>
 * </table>
 */
public final class SystemdManager extends V2Manager {

  /** A parsed {@code slice:prefix:name}. */
  public record Unit(String slice, String prefix, String name) {
    public String unitName() {
      return (prefix.isEmpty() ? "" : prefix + "-") + name + ".scope";
    }

    /** The slice's directory below the cgroup root: {@code a-b.slice} is {@code a.slice/a-b.slice}. */
    public String slicePath() {
      if (slice.equals("-.slice")) return "";
      String base = slice.substring(0, slice.length() - ".slice".length());
      StringBuilder p = new StringBuilder();
      String[] parts = base.split("-");
      String acc = "";
      for (String part : parts) {
        acc = acc.isEmpty() ? part : acc + "-" + part;
        p.append('/').append(acc).append(".slice");
      }
      return p.substring(1);
    }
  }

  private final Unit unit;
  private final boolean user;
  private final String id;

  public SystemdManager(Path root, Unit unit, LinuxResources resources, boolean user, String id) {
    super(root, scopeDir(root, unit), resources, null);
    this.unit = unit;
    this.user = user;
    this.id = id;
  }

  private static Path scopeDir(Path root, Unit u) {
    String sp = u.slicePath();
    return (sp.isEmpty() ? root : root.resolve(sp)).resolve(u.unitName());
  }

  /** runc's rules: empty means {@code system.slice:jrunc:<id>} (user.slice when rootless). */
  public static Unit parse(String cgroupsPath, String id, boolean rootless) throws CgroupException {
    String dflt = rootless ? "user.slice" : "system.slice";
    if (cgroupsPath == null || cgroupsPath.isEmpty()) return new Unit(dflt, "jrunc", id);
    String[] p = cgroupsPath.split(":", -1);
    if (p.length != 3) {
      throw new CgroupException("linux.cgroupsPath: \"" + cgroupsPath + "\" is not slice:prefix:name (required by --systemd-cgroup)");
    }
    String slice = p[0].isEmpty() ? dflt : p[0];
    if (!slice.endsWith(".slice") || slice.contains("/")) {
      throw new CgroupException("linux.cgroupsPath: slice \"" + slice + "\" must be a unit name ending in .slice");
    }
    if (p[2].isEmpty() || p[2].contains("/")) throw new CgroupException("linux.cgroupsPath: name \"" + p[2] + "\" is not a valid unit name part");
    if (p[2].endsWith(".slice")) throw new CgroupException("linux.cgroupsPath: \"" + p[2] + "\": a slice as the container's own unit is not supported (use a scope)");
    return new Unit(slice, p[1], p[2]);
  }

  @Override public String driver() { return "systemd"; }

  @Override
  public void create() throws CgroupException {
    // nothing to create yet (the scope needs a pid); check everything that can be checked
    ResourceWrites.v2(resources, ResourceWrites.Current.NONE);
    if (resources != null) DeviceRule.from(resources.devices());
  }

  @Override
  public Optional<Path> cloneIntoCgroupPath() {
    return Optional.empty();
  }

  @Override
  public void addProcess(int pid) throws CgroupException {
    if (Files.isDirectory(dir)) {
      FsSupport.addProcess(dir, pid); // an exec'd process joining a running scope
      return;
    }
    try {
      startUnit(pid, true);
    } catch (DBusConnection.DBusError e) {
      // a systemd older than the newer properties (AllowedCPUs 244, CPUQuotaPeriodUSec 242)
      // refuses the whole unit: started without them, their values still reach the files below
      if (!e.name.equals(INVALID_ARGS) || !hasUnitLimits(resources, false, true)) throw unitFailure(e);
      try {
        startUnit(pid, false);
      } catch (CgroupException again) {
        throw unitFailure(again);
      }
    } catch (CgroupException e) {
      throw unitFailure(e);
    }
    // the job is queued; it is done when the scope's cgroup holds the pid (polling avoids
    // subscribing to JobRemoved signals, which the private socket only sends after Subscribe())
    long deadline = System.nanoTime() + 10_000_000_000L;
    for (int i = 0; ; i++) {
      if (FsSupport.pidsRecursive(dir).contains(pid)) break;
      if (System.nanoTime() > deadline) {
        throw new CgroupException("start systemd unit " + unit.unitName() + ": " + dir + " did not receive pid " + pid + " within 10 s");
      }
      FsSupport.sleep(i < 20 ? 2 : 20);
    }
    try {
      // systemd enables in its slices only the controllers it manages: hugetlb, rdma and misc
      // are enabled up the chain here, as runc does after starting the unit (a hugetlb limit had
      // no file to go to in the scope)
      enableControllers(dir.getParent());
      apply(resources);
      if (resources != null && resources.devices() != null) installDeviceFilter(DeviceRule.from(resources.devices()));
    } catch (CgroupException | RuntimeException e) {
      try {
        destroy();
      } catch (CgroupException ignored) {
        // report the first error
      }
      throw e;
    }
  }

  /** systemd's answer to a property it does not know (or a value it refuses). */
  static final String INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs";

  private CgroupException unitFailure(CgroupException e) {
    return new CgroupException("start systemd unit " + unit.unitName() + " in " + unit.slice() + ": " + e.getMessage(), e);
  }

  private void startUnit(int pid, boolean newer) throws CgroupException {
    DBusWriter w = new DBusWriter();
    w.string(unit.unitName()).string("replace");
    int[] props = w.beginArray(8);
    prop(w, "Description", "s", x -> x.string("jrunc container " + id));
    prop(w, "Slice", "s", x -> x.string(unit.slice()));
    prop(w, "Delegate", "b", x -> x.bool(true));
    prop(w, "DefaultDependencies", "b", x -> x.bool(false));
    prop(w, "PIDs", "au", x -> {
      int[] a = x.beginArray(4);
      x.u32(pid);
      x.endArray(a);
    });
    for (String acc : List.of("MemoryAccounting", "CPUAccounting", "IOAccounting", "TasksAccounting")) prop(w, acc, "b", x -> x.bool(true));
    unitLimits(w, resources, true, newer);
    w.endArray(props);
    int[] aux = w.beginArray(8);
    w.endArray(aux);
    try (DBusConnection c = DBusConnection.systemd(user)) {
      c.call("org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
          "StartTransientUnit", "ssa(sv)a(sa(sv))", w.toByteArray());
    }
  }

  static void prop(DBusWriter w, String name, String sig, Consumer<DBusWriter> value) {
    w.struct().string(name).signature(sig);
    value.accept(w);
  }

  /**
   * The limits systemd itself understands, as unit properties (it writes the same files), as
   * runc sends them. {@code base}: those every systemd with cgroup v2 knows; {@code newer}: those
   * of systemd 242 (CPUQuotaPeriodUSec) and 244 (AllowedCPUs, AllowedMemoryNodes).
   */
  static void unitLimits(DBusWriter w, LinuxResources r, boolean base, boolean newer) {
    if (r == null) return;
    var m = r.memory();
    if (base && m != null) {
      if (m.limit() != null && m.limit() != 0) {
        long v = m.limit();
        prop(w, "MemoryMax", "t", x -> x.u64(v == -1 ? -1L : v)); // -1 as uint64 is "infinity"
      }
      if (m.reservation() != null && m.reservation() != 0) {
        long v = m.reservation();
        prop(w, "MemoryLow", "t", x -> x.u64(v == -1 ? -1L : v));
      }
      long limit = m.limit() == null ? 0 : m.limit();
      long swap = m.swap() == null ? 0 : m.swap();
      if (swap != 0 || limit == -1) { // unlimited memory without a swap given: swap unlimited too
        try {
          long v = ResourceWrites.swapToV2(swap, limit);
          if (v != 0 || swap != 0) prop(w, "MemorySwapMax", "t", x -> x.u64(v == -1 ? -1L : v));
        } catch (CgroupException e) {
          // a combination the file write refuses with its own words
        }
      }
    }
    if (base && r.pids() != null && r.pids().limit() != null && r.pids().limit() != 0) {
      long v = r.pids().limit();
      prop(w, "TasksMax", "t", x -> x.u64(v < 0 ? -1L : v));
    }
    cpuLimits(w, r.cpu(), base, newer);
    if (r.unified() != null) unifiedLimits(w, new java.util.TreeMap<>(r.unified()), base, newer);
  }

  private static void cpuLimits(DBusWriter w, io.jrunc.spec.LinuxCPU cpu, boolean base, boolean newer) {
    if (cpu == null) return;
    long quota = cpu.quota() == null ? 0 : cpu.quota();
    long period = cpu.period() == null ? 0 : cpu.period();
    // cpu.idle 1 is CPUWeight 0 to systemd 252 on (older ones refuse it: InvalidArgs, so it is
    // "newer"); a weight beside it is dropped then, as runc drops it
    boolean idle = newer && cpu.idle() != null && cpu.idle() == 1;
    if (idle) prop(w, "CPUWeight", "t", x -> x.u64(0));
    if (base) {
      if (!idle && cpu.shares() != null && cpu.shares() != 0) {
        long weight = ResourceWrites.sharesToWeight(cpu.shares());
        prop(w, "CPUWeight", "t", x -> x.u64(weight));
      }
      if (quota != 0 || period != 0) quotaPerSec(w, quota, period);
    }
    if (newer) {
      if (period != 0) prop(w, "CPUQuotaPeriodUSec", "t", x -> x.u64(period));
      cpusetMasks(w, cpu.cpus(), cpu.mems());
    }
  }

  /** CPU time per wall second in microseconds, rounded up to 10 ms; no quota is infinity. */
  private static void quotaPerSec(DBusWriter w, long quota, long period) {
    long perSec = -1L;
    if (quota > 0) {
      perSec = quota * 1_000_000L / (period == 0 ? 100_000 : period);
      if (perSec % 10_000 != 0) perSec = (perSec / 10_000 + 1) * 10_000;
    }
    long v = perSec;
    prop(w, "CPUQuotaPerSecUSec", "t", x -> x.u64(v));
  }

  private static void cpusetMasks(DBusWriter w, String cpusList, String memsList) {
    byte[] cpus = cpusetMask(cpusList);
    if (cpus != null) prop(w, "AllowedCPUs", "ay", x -> bytes(x, cpus));
    byte[] mems = cpusetMask(memsList);
    if (mems != null) prop(w, "AllowedMemoryNodes", "ay", x -> bytes(x, mems));
  }

  /**
   * The {@code unified} files systemd also knows as unit properties, after those of the other
   * fields (so that, as with runc, a file given both ways takes the unified value: systemd applies
   * properties in order). The rest go to the files only. A value that does not parse is left to
   * the file write, which reports it in the kernel's words.
   *
   * <table>
   * <caption>unified files sent as properties</caption>
   * <tr><th>file</th><th>property</th><th>set</th></tr>
   * <tr><td>memory.max, .high, .low, .min, .swap.max</td><td>MemoryMax, MemoryHigh, MemoryLow, MemoryMin, MemorySwapMax ("max": infinity)</td><td>base</td></tr>
   * <tr><td>pids.max</td><td>TasksMax ("max": infinity)</td><td>base</td></tr>
   * <tr><td>cpu.weight</td><td>CPUWeight (not beside cpu.idle 1 in the newer set)</td><td>base</td></tr>
   * <tr><td>cpu.max "QUOTA [PERIOD]"</td><td>CPUQuotaPerSecUSec; CPUQuotaPeriodUSec (period 100000 if not given)</td><td>base; newer</td></tr>
   * <tr><td>cpu.idle 1</td><td>CPUWeight 0 (systemd 252)</td><td>newer</td></tr>
   * <tr><td>cpuset.cpus, cpuset.mems</td><td>AllowedCPUs, AllowedMemoryNodes</td><td>newer</td></tr>
   * </table>
   */
  private static void unifiedLimits(DBusWriter w, Map<String, String> files, boolean base, boolean newer) {
    boolean idle = newer && "1".equals(trimmed(files.get("cpu.idle")));
    for (var e : files.entrySet()) {
      String v = trimmed(e.getValue());
      if (v == null) continue; // the file write names it
      switch (e.getKey()) {
        case "memory.max" -> { if (base) maxOrNumber(w, "MemoryMax", v); }
        case "memory.high" -> { if (base) maxOrNumber(w, "MemoryHigh", v); }
        case "memory.low" -> { if (base) maxOrNumber(w, "MemoryLow", v); }
        case "memory.min" -> { if (base) maxOrNumber(w, "MemoryMin", v); }
        case "memory.swap.max" -> { if (base) maxOrNumber(w, "MemorySwapMax", v); }
        case "pids.max" -> { if (base) maxOrNumber(w, "TasksMax", v); }
        case "cpu.weight" -> {
          Long n = unsigned(v);
          if (base && !idle && n != null) prop(w, "CPUWeight", "t", x -> x.u64(n));
        }
        case "cpu.idle" -> { if (idle) prop(w, "CPUWeight", "t", x -> x.u64(0)); }
        case "cpu.max" -> {
          String[] f = v.split("\\s+");
          Long quota = f.length >= 1 && f.length <= 2 ? (f[0].equals("max") ? Long.valueOf(0) : unsigned(f[0])) : null;
          Long period = f.length == 2 ? unsigned(f[1]) : Long.valueOf(100_000);
          if (quota == null || period == null) break;
          if (base) quotaPerSec(w, quota, period);
          if (newer) prop(w, "CPUQuotaPeriodUSec", "t", x -> x.u64(period));
        }
        case "cpuset.cpus" -> { if (newer) cpusetMasks(w, v, null); }
        case "cpuset.mems" -> { if (newer) cpusetMasks(w, null, v); }
        default -> { } // files only
      }
    }
  }

  private static String trimmed(String v) {
    return v == null ? null : v.strip();
  }

  /** "max" as infinity (uint64 -1), else the number; nothing for a value that does not parse. */
  private static void maxOrNumber(DBusWriter w, String property, String v) {
    Long n = "max".equals(v) ? Long.valueOf(-1L) : unsigned(v);
    if (n != null) prop(w, property, "t", x -> x.u64(n));
  }

  private static Long unsigned(String v) {
    try {
      return v == null ? null : Long.parseUnsignedLong(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static void bytes(DBusWriter w, byte[] b) {
    int[] a = w.beginArray(1);
    for (byte x : b) w.byte_(x & 0xff);
    w.endArray(a);
  }

  /**
   * A cpuset list ("0-3,8", parsed as events --stats parses one: {@link CgroupStats.CpuSet#numbers})
   * as systemd's CPU set property takes it: a bitmask, CPU n at bit n % 8 of byte n / 8. Null
   * for none, and for a list that does not parse (the cpuset file write reports it in the
   * kernel's words).
   */
  static byte[] cpusetMask(String list) {
    List<Integer> numbers = CgroupStats.CpuSet.numbers(list);
    if (numbers.isEmpty()) return null;
    java.util.BitSet set = new java.util.BitSet();
    for (int n : numbers) set.set(n);
    return set.toByteArray(); // little-endian: byte 0 holds CPUs 0-7
  }

  /** The StartTransientUnit body for a pid (exposed for the marshalling unit test). */
  static byte[] startBody(String unitName, String slice, int pid) {
    DBusWriter w = new DBusWriter();
    w.string(unitName).string("replace");
    int[] props = w.beginArray(8);
    prop(w, "Slice", "s", x -> x.string(slice));
    prop(w, "PIDs", "au", x -> {
      int[] a = x.beginArray(4);
      x.u32(pid);
      x.endArray(a);
    });
    w.endArray(props);
    int[] aux = w.beginArray(8);
    w.endArray(aux);
    return w.toByteArray();
  }

  @Override
  public void update(LinuxResources r) throws CgroupException {
    if (r == null) return;
    // every check first, checkBeforeUpdate above all: systemd applies a property at once, and a
    // memory limit below the usage OOM-killed the container before the refusal came (runc's
    // update.bats with the systemd driver)
    ResourceWrites.v2(r, (c, f) -> FsSupport.read(dir, f));
    if (hasUnitLimits(r, true, true)) {
      try {
        setUnitLimits(r, true);
      } catch (DBusConnection.DBusError e) {
        if (!e.name.equals(INVALID_ARGS) || !hasUnitLimits(r, false, true)) throw e;
        if (hasUnitLimits(r, true, false)) setUnitLimits(r, false); // an older systemd: the files below
      }
    }
    super.update(r);
  }

  private void setUnitLimits(LinuxResources r, boolean newer) throws CgroupException {
    DBusWriter w = new DBusWriter();
    w.string(unit.unitName()).bool(true);
    int[] props = w.beginArray(8);
    unitLimits(w, r, true, newer);
    w.endArray(props);
    try (DBusConnection c = DBusConnection.systemd(user)) {
      c.call("org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
          "SetUnitProperties", "sba(sv)", w.toByteArray());
    }
  }

  private static boolean hasUnitLimits(LinuxResources r, boolean base, boolean newer) {
    DBusWriter probe = new DBusWriter();
    unitLimits(probe, r, base, newer);
    return probe.position() > 0;
  }

  @Override
  public void destroy() throws CgroupException {
    if (Files.isDirectory(dir)) Signals.killAndWait(this);
    try (DBusConnection c = DBusConnection.systemd(user)) {
      DBusWriter w = new DBusWriter();
      w.string(unit.unitName()).string("replace");
      try {
        c.call("org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
            "StopUnit", "ss", w.toByteArray());
      } catch (DBusConnection.DBusError e) {
        if (!e.name.equals("org.freedesktop.systemd1.NoSuchUnit")) throw e;
      }
      long deadline = System.nanoTime() + 10_000_000_000L;
      for (int i = 0; Files.isDirectory(dir); i++) {
        if (System.nanoTime() > deadline) throw new CgroupException("stop systemd unit " + unit.unitName() + ": " + dir + " still exists after 10 s");
        FsSupport.sleep(i < 20 ? 2 : 20);
      }
      DBusWriter r = new DBusWriter();
      r.string(unit.unitName());
      try {
        c.call("org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
            "ResetFailedUnit", "s", r.toByteArray());
      } catch (DBusConnection.DBusError e) {
        // not failed, or gone: nothing to reset
      }
    }
  }

  @Override
  public Map<String, String> state() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("driver", "systemd");
    s.put("layout", "V2");
    s.put("root", root.toString());
    s.put("path", dir.toString());
    s.put("slice", unit.slice());
    s.put("prefix", unit.prefix());
    s.put("name", unit.name());
    s.put("user", Boolean.toString(user));
    s.put("id", id);
    return s;
  }

  public static SystemdManager fromState(Map<String, String> s) {
    return new SystemdManager(Path.of(s.get("root")), new Unit(s.get("slice"), s.get("prefix"), s.get("name")), null,
        Boolean.parseBoolean(s.get("user")), s.get("id"));
  }
}
