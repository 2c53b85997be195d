package io.jrunc.core.cgroup.v1;

import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.cgroup.CgroupManager;
import io.jrunc.core.cgroup.CgroupPaths;
import io.jrunc.core.api.stats.CgroupStats;
import io.jrunc.core.cgroup.DeviceRule;
import io.jrunc.core.cgroup.FsSupport;
import io.jrunc.core.cgroup.Layout;
import io.jrunc.core.cgroup.ResourceWrites;
import io.jrunc.core.cgroup.Signals;
import io.jrunc.core.cgroup.Write;
import io.jrunc.core.cgroup.v2.V2Manager;
import io.jrunc.spec.LinuxResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * cgroup v1 (and the hybrid layout): one directory per hierarchy, keyed by controller
 * ({@code cpu}, {@code memory}, …, {@code name=systemd}); on hybrid also {@code unified}, the
 * cgroup2 directory, which the process joins as well (systemd-era tools look there) but which
 * gets no limits.
 */
public class V1Manager implements CgroupManager {
  private final Layout layout;
  private final Map<String, Path> mounts; // key -> hierarchy mount point
  private final Map<String, Path> paths;  // key -> container directory
  private final LinuxResources resources;
  private final Map<Path, Path> createdTop = new LinkedHashMap<>(); // container dir -> topmost created

  public V1Manager(Layout layout, Map<String, Path> mounts, Map<String, Path> paths, LinuxResources resources,
      Map<Path, Path> createdTop) {
    this.layout = layout;
    this.mounts = mounts;
    this.paths = paths;
    this.resources = resources;
    if (createdTop != null) this.createdTop.putAll(createdTop);
  }

  @Override public String driver() { return "cgroupfs"; }
  @Override public Layout layout() { return layout; }

  /** The directory of one hierarchy, or null when the host does not mount it. */
  public Path path(String key) { return paths.get(key); }

  private Set<Path> uniqueDirs() {
    return new LinkedHashSet<>(paths.values());
  }

  @Override
  public void create() throws CgroupException {
    if (!paths.isEmpty() && mounts.isEmpty()) throw new IllegalStateException("a cgroup re-opened from a record is not created again");
    ResourceWrites.v1(resources, ResourceWrites.Current.NONE); // validate before any mkdir
    List<DeviceRule> devices = resources == null ? List.of() : DeviceRule.from(resources.devices());
    DeviceRule.checkV1(devices); // before any mkdir too
    Map<Path, Path> made = new LinkedHashMap<>();
    try {
      for (var e : paths.entrySet()) {
        Path dir = e.getValue();
        if (made.containsKey(dir) || createdTop.containsKey(dir)) continue;
        made.put(dir, FsSupport.mkdirs(mounts.get(e.getKey()), dir)); // null: it was there
        // every level from the hierarchy's root: a parent someone made (a pod's) may be empty too
        if (e.getKey().equals("cpuset")) fillCpuset(mounts.get(e.getKey()), dir);
      }
      made.forEach((d, t) -> { if (t != null) createdTop.put(d, t); });
      apply(resources);
      if (resources != null && resources.devices() != null) applyDevices(devices);
    } catch (CgroupException | RuntimeException ex) {
      for (var m : made.entrySet()) {
        if (m.getValue() == null) continue;
        try {
          FsSupport.removeUpTo(m.getKey(), m.getValue());
        } catch (CgroupException ignored) {
          // report the first error
        }
        createdTop.remove(m.getKey());
      }
      throw ex;
    }
  }

  /**
   * A new v1 cpuset cgroup starts with empty cpuset.cpus/mems, and a task cannot join it until
   * they are set: copy them down from the parent into each empty level between the
   * hierarchy's root and the container's directory (runc's cpuset ensureParent). Levels that
   * have values are not touched.
   */
  private static void fillCpuset(Path top, Path leaf) throws CgroupException {
    List<Path> chain = new ArrayList<>();
    for (Path p = leaf; p != null && p.startsWith(top) && !p.equals(top); p = p.getParent()) chain.add(0, p);
    // each level's value, once read or written, is the next level's parent's (not read again)
    String[] files = {"cpuset.cpus", "cpuset.mems"};
    String[] above = new String[2];
    for (Path p : chain) {
      for (int k = 0; k < 2; k++) {
        String mine = FsSupport.read(p, files[k]);
        if (mine != null && mine.isBlank()) {
          String parent = above[k] != null ? above[k] : FsSupport.read(p.getParent(), files[k]);
          if (parent != null && !parent.isBlank()) {
            FsSupport.write(p, new Write("cpuset", files[k], parent.strip(), null));
            mine = parent;
          }
        }
        above[k] = mine;
      }
    }
  }

  private void apply(LinuxResources r) throws CgroupException {
    List<Write> writes = ResourceWrites.v1(r, (c, f) -> {
      Path d = paths.get(c);
      return d == null ? null : FsSupport.read(d, f);
    });
    for (int i = 0; i < writes.size(); i++) {
      Write w = writes.get(i);
      Path d = paths.get(w.controller());
      if (d == null) {
        throw new CgroupException(w.field() + ": the " + w.controller() + " cgroup v1 controller is not mounted on this host");
      }
      try {
        FsSupport.write(d, w);
      } catch (CgroupException e) {
        // the kernel checks quota/period as a pair against the parent's bandwidth: a new period
        // can be refused (EINVAL) under the old quota and accepted after the new quota (runc
        // retries in the other order too)
        Write next = i + 1 < writes.size() ? writes.get(i + 1) : null;
        if (!w.file().equals("cpu.cfs_period_us") || next == null || !next.file().equals("cpu.cfs_quota_us")
            || !String.valueOf(e.getMessage()).contains("(EINVAL)")) {
          throw e;
        }
        FsSupport.write(d, next);
        FsSupport.write(d, w);
        i++;
      }
    }
  }

  /**
   * devices.deny "a" and then each rule in config order, as runc writes them; devices.deny and
   * devices.allow each opened once for all of them.
   */
  private void applyDevices(List<DeviceRule> rules) throws CgroupException {
    Path d = paths.get("devices");
    if (d == null) throw new CgroupException("linux.resources.devices: the devices cgroup v1 controller is not mounted on this host");
    try (FsSupport.Writes out = new FsSupport.Writes(d)) {
      out.write(new Write("devices", "devices.deny", "a", "linux.resources.devices"));
      for (int i = 0; i < rules.size(); i++) {
        DeviceRule r = rules.get(i);
        out.write(new Write("devices", r.allow() ? "devices.allow" : "devices.deny", r.v1(), "linux.resources.devices[" + i + "]"));
      }
    }
  }

  @Override
  public Optional<Path> cloneIntoCgroupPath() {
    return Optional.empty();
  }

  @Override
  public void addProcess(int pid) throws CgroupException {
    for (Path d : uniqueDirs()) FsSupport.addProcess(d, pid);
  }

  /** Every v1 hierarchy by its {@code tasks} file; hybrid's unified directory by CLONE_INTO_CGROUP. */
  @Override
  public Optional<SelfJoin> selfJoin() {
    Path unified = v2Dir();
    List<Path> tasks = new ArrayList<>();
    for (Path d : uniqueDirs()) if (!d.equals(unified)) tasks.add(d.resolve("tasks"));
    return Optional.of(new SelfJoin(unified, List.copyOf(tasks)));
  }

  @Override
  public void update(LinuxResources r) throws CgroupException {
    if (r == null) return;
    List<DeviceRule> devices = DeviceRule.from(r.devices());
    DeviceRule.checkV1(devices);
    apply(r);
    if (r.devices() != null && !r.devices().isEmpty()) applyDevices(devices);
  }

  @Override
  public void freeze() throws CgroupException {
    setState("FROZEN");
  }

  @Override
  public void thaw() throws CgroupException {
    setState("THAWED");
  }

  /**
   * Writes freezer.state and waits for the kernel to settle there: FREEZING lasts while a task
   * is in uninterruptible sleep; runc then thaws and tries again, and so do we, for up to 10 s.
   */
  private void setState(String want) throws CgroupException {
    Path d = paths.get("freezer");
    if (d == null) throw new CgroupException("the freezer cgroup v1 controller is not mounted on this host");
    long deadline = System.nanoTime() + 10_000_000_000L;
    for (int i = 0; ; i++) {
      FsSupport.writeControl(d, new Write("freezer", "freezer.state", want, null));
      for (int j = 0; j < 100; j++) {
        String s = FsSupport.read(d, "freezer.state");
        if (s != null && s.strip().equals(want)) return;
        // a task freezes when it next runs (microseconds, for one in an interruptible sleep):
        // look again after 0.1 ms at first, then 1 ms, then 5 ms. parkNanos, not Thread.sleep,
        // whose JFR event classes come from the JDK's modules on first use (not in a command's
        // AOT cache when training's freeze settled at the first look)
        java.util.concurrent.locks.LockSupport.parkNanos(j < 20 ? 100_000L : j < 30 ? 1_000_000L : 5_000_000L);
        if (want.equals("THAWED")) break;
      }
      if (System.nanoTime() > deadline) {
        if (want.equals("FROZEN")) FsSupport.writeControl(d, new Write("freezer", "freezer.state", "THAWED", null));
        throw new CgroupException("freeze " + d + ": freezer.state did not become " + want + " within 10 s");
      }
      if (want.equals("FROZEN")) {
        // stuck in FREEZING: let the sleeper run, then retry
        FsSupport.writeControl(d, new Write("freezer", "freezer.state", "THAWED", null));
        FsSupport.sleep(10);
      }
    }
  }

  @Override
  public boolean isFrozen() {
    Path d = paths.get("freezer");
    if (d == null) return false;
    String s = FsSupport.read(d, "freezer.state");
    return s != null && !s.strip().equals("THAWED");
  }

  @Override
  public List<Integer> pids() {
    for (String k : List.of("pids", "freezer", "memory", "devices", "cpu")) {
      Path d = paths.get(k);
      if (d != null && Files.isDirectory(d)) return FsSupport.pidsRecursive(d);
    }
    for (Path d : uniqueDirs()) if (Files.isDirectory(d)) return FsSupport.pidsRecursive(d);
    return List.of();
  }

  @Override
  public long oomKillCount() {
    Path d = paths.get("memory");
    return d == null ? 0 : FsSupport.readKeyed(d, "memory.oom_control").getOrDefault("oom_kill", 0L);
  }

  @Override
  public void kill(int signal) throws CgroupException {
    boolean canFreeze = paths.get("freezer") != null && Files.isDirectory(paths.get("freezer"));
    boolean wasFrozen = canFreeze && isFrozen();
    if (canFreeze && !wasFrozen) freeze();
    try {
      Signals.signalAll(pids(), signal);
    } finally {
      if (canFreeze && !wasFrozen) thaw();
    }
  }

  @Override
  public void destroy() throws CgroupException {
    Signals.killAndWait(this);
    removeDirs();
  }

  @Override
  public List<Integer> destroyUnlessShared() throws CgroupException {
    List<Integer> left = pids();
    if (!left.isEmpty()) return left;
    removeDirs();
    return List.of();
  }

  private void removeDirs() throws CgroupException {
    CgroupException first = null;
    for (Path d : uniqueDirs()) {
      try {
        FsSupport.removeUpTo(d, createdTop.getOrDefault(d, d));
      } catch (CgroupException e) {
        if (first == null) first = e;
      }
    }
    if (first != null) throw first;
  }

  @Override
  public Path v2Dir() {
    return paths.get(UNIFIED);
  }

  @Override
  public Map<String, String> paths() {
    Map<String, String> out = new LinkedHashMap<>();
    paths.forEach((k, v) -> out.put(k, v.toString()));
    return out;
  }

  @Override
  public Map<String, String> state() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("driver", driver());
    s.put("layout", layout.name());
    paths.forEach((k, v) -> s.put("path." + k, v.toString()));
    // Not the hierarchies' mount points: only create() uses them, which a manager re-opened
    // from a record never runs; they were a third of a v1 record, which state, kill, start and
    // delete parse (interpreted) on every call, and delete made a Path of each. (A record that
    // has them, from before, reads the same.)
    // only a top above the container's own directory: destroy removes that directory anyway,
    // and leaving it out keeps the state create() reaches in the common case (the parent was
    // there) equal to the one recorded before it, so the record is not written a second time
    // (~1 ms of a cold create)
    createdTop.forEach((d, t) -> {
      if (!t.equals(d)) s.put("createdTop." + d, t.toString());
    });
    return s;
  }

  /**
   * Rebuilds a manager from {@link #state()}: one that signals, reads, updates and removes the
   * cgroup, but does not {@link #create} it (it knows no mount points).
   */
  public static V1Manager fromState(Map<String, String> s) {
    Map<String, Path> paths = new LinkedHashMap<>();
    Map<Path, Path> created = new LinkedHashMap<>();
    // a loop, not forEach with a lambda: state, kill and delete re-open the cgroup on each call,
    // and linking the lambda's call site in a fresh JVM cost ~0.3 ms
    for (Map.Entry<String, String> e : s.entrySet()) {
      String k = e.getKey(), v = e.getValue();
      if (k.startsWith("path.")) paths.put(k.substring(5), Path.of(v));
      else if (k.startsWith("createdTop.")) created.put(Path.of(k.substring(11)), Path.of(v));
      // "mount.*" (records from before): not needed, see state()
    }
    return new V1Manager(Layout.of(s.get("layout")), Map.of(), paths, null, created);
  }

  @Override
  public CgroupStats stats() {
    Path acct = paths.get("cpuacct"), cpu = paths.get("cpu"), mem = paths.get("memory");
    CgroupStats.CpuUsage usage = new CgroupStats.CpuUsage(0, List.of(), List.of(), List.of(), 0, 0);
    if (acct != null) {
      // cpuacct.stat is in USER_HZ (100 on every architecture Linux exports to user space)
      Map<String, Long> st = FsSupport.readKeyed(acct, "cpuacct.stat");
      usage = new CgroupStats.CpuUsage(FsSupport.readLong(acct, "cpuacct.usage"), longs(FsSupport.read(acct, "cpuacct.usage_percpu")),
          longs(FsSupport.read(acct, "cpuacct.usage_percpu_sys")), longs(FsSupport.read(acct, "cpuacct.usage_percpu_user")),
          st.getOrDefault("system", 0L) * 10_000_000L, st.getOrDefault("user", 0L) * 10_000_000L);
    }
    Map<String, Long> cs = cpu == null ? Map.of() : FsSupport.readKeyed(cpu, "cpu.stat");
    var thr = new CgroupStats.Throttling(cs.getOrDefault("nr_periods", 0L), cs.getOrDefault("nr_throttled", 0L), cs.getOrDefault("throttled_time", 0L));
    CgroupStats.Memory memory = new CgroupStats.Memory(0, CgroupStats.MemoryEntry.NONE, CgroupStats.MemoryEntry.NONE,
        CgroupStats.MemoryEntry.NONE, CgroupStats.MemoryEntry.NONE, Map.of());
    if (mem != null) {
      Map<String, Long> raw = FsSupport.readKeyed(mem, "memory.stat");
      memory = new CgroupStats.Memory(raw.getOrDefault("cache", 0L), entry(mem, "memory."), entry(mem, "memory.memsw."),
          entry(mem, "memory.kmem."), entry(mem, "memory.kmem.tcp."), raw);
    }
    Path p = paths.get("pids");
    CgroupStats.Pids pids = new CgroupStats.Pids(0, 0);
    if (p != null) {
      String max = FsSupport.read(p, "pids.max");
      pids = new CgroupStats.Pids(FsSupport.readLong(p, "pids.current"), max == null || max.strip().equals("max") ? 0 : Long.parseLong(max.strip()));
    }
    Path b = paths.get("blkio");
    List<CgroupStats.BlkioEntry> bytes = List.of(), ios = List.of();
    if (b != null) {
      // CFQ/BFQ files when a proportional scheduler is active, else the throttle layer's
      bytes = blkio(b, "blkio.io_service_bytes_recursive", "blkio.throttle.io_service_bytes_recursive");
      ios = blkio(b, "blkio.io_serviced_recursive", "blkio.throttle.io_serviced_recursive");
    }
    Map<String, CgroupStats.Hugetlb> huge = new LinkedHashMap<>();
    Path h = paths.get("hugetlb");
    if (h != null) {
      for (String size : V2Manager.hugeSizes(h, ".limit_in_bytes")) {
        huge.put(size, new CgroupStats.Hugetlb(FsSupport.readLong(h, "hugetlb." + size + ".usage_in_bytes"),
            FsSupport.readLong(h, "hugetlb." + size + ".max_usage_in_bytes"), FsSupport.readLong(h, "hugetlb." + size + ".failcnt")));
      }
    }
    CgroupStats stats = new CgroupStats(new CgroupStats.Cpu(usage, thr), memory, pids, new CgroupStats.Blkio(bytes, ios), huge);
    Path c = paths.get("cpuset");
    if (c == null) return stats;
    return stats.withCpuset(new CgroupStats.CpuSet(CgroupStats.CpuSet.numbers(FsSupport.read(c, "cpuset.cpus")),
        FsSupport.readLong(c, "cpuset.cpu_exclusive"), CgroupStats.CpuSet.numbers(FsSupport.read(c, "cpuset.mems")),
        FsSupport.readLong(c, "cpuset.mem_hardwall"), FsSupport.readLong(c, "cpuset.mem_exclusive"),
        FsSupport.readLong(c, "cpuset.memory_migrate"), FsSupport.readLong(c, "cpuset.memory_spread_page"),
        FsSupport.readLong(c, "cpuset.memory_spread_slab"), FsSupport.readLong(c, "cpuset.memory_pressure"),
        FsSupport.readLong(c, "cpuset.sched_load_balance"), FsSupport.readLong(c, "cpuset.sched_relax_domain_level")));
  }

  private static CgroupStats.MemoryEntry entry(Path d, String prefix) {
    if (!Files.exists(d.resolve(prefix + "usage_in_bytes"))) return CgroupStats.MemoryEntry.NONE;
    return new CgroupStats.MemoryEntry(FsSupport.readLong(d, prefix + "limit_in_bytes"), FsSupport.readLong(d, prefix + "usage_in_bytes"),
        FsSupport.readLong(d, prefix + "max_usage_in_bytes"), FsSupport.readLong(d, prefix + "failcnt"));
  }

  private static List<Long> longs(String s) {
    List<Long> out = new ArrayList<>();
    if (s == null) return out;
    for (String t : s.strip().split("\\s+")) if (!t.isEmpty()) out.add(Long.parseLong(t));
    return out;
  }

  private static List<CgroupStats.BlkioEntry> blkio(Path d, String first, String fallback) {
    String s = FsSupport.read(d, first);
    if (s == null || s.isBlank() || s.strip().startsWith("Total 0")) s = FsSupport.read(d, fallback);
    List<CgroupStats.BlkioEntry> out = new ArrayList<>();
    if (s == null) return out;
    for (String line : s.split("\n")) {
      String[] f = line.strip().split("\\s+");
      if (f.length != 3 || !f[0].contains(":")) continue;
      String[] mm = f[0].split(":");
      out.add(new CgroupStats.BlkioEntry(Long.parseLong(mm[0]), Long.parseLong(mm[1]), f[1], Long.parseLong(f[2])));
    }
    return out;
  }

  /** The hybrid layout's extra key, for callers that want the cgroup2 directory. */
  public static final String UNIFIED = CgroupPaths.UNIFIED;
}
