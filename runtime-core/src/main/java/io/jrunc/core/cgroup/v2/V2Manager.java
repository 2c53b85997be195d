package io.jrunc.core.cgroup.v2;

import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.cgroup.CgroupManager;
import io.jrunc.core.api.stats.CgroupStats;
import io.jrunc.core.cgroup.DeviceFilter;
import io.jrunc.core.cgroup.DeviceRule;
import io.jrunc.core.cgroup.FsSupport;
import io.jrunc.core.cgroup.Layout;
import io.jrunc.core.cgroup.ResourceWrites;
import io.jrunc.core.cgroup.Signals;
import io.jrunc.core.cgroup.Write;
import io.jrunc.core.sys.Bpf;
import io.jrunc.core.sys.CgroupIo;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Signal;
import io.jrunc.core.sys.SysException;
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
 * The unified hierarchy (cgroup v2, kernel >= 4.5; freezer 5.2, cgroup.kill 5.14,
 * CLONE_INTO_CGROUP 5.7). One directory; controllers must be enabled in every ancestor's
 * {@code cgroup.subtree_control} before their files appear in it.
 */
public class V2Manager implements CgroupManager {
  protected final Path root;
  protected final Path dir;
  protected final LinuxResources resources;
  protected Path createdTop;

  /**
   * @param root the cgroup2 mount (/sys/fs/cgroup)
   * @param dir the container's cgroup directory below it
   * @param createdTop the topmost directory this container created (null: none / reopened without)
   */
  public V2Manager(Path root, Path dir, LinuxResources resources, Path createdTop) {
    this.root = root;
    this.dir = dir;
    this.resources = resources;
    this.createdTop = createdTop;
  }

  @Override public String driver() { return "cgroupfs"; }
  @Override public Layout layout() { return Layout.V2; }
  public Path path() { return dir; }

  @Override
  public void create() throws CgroupException {
    // validate before touching the filesystem: a config error leaves nothing behind
    ResourceWrites.v2(resources, ResourceWrites.Current.NONE);
    List<DeviceRule> devices = resources == null ? null : DeviceRule.from(resources.devices());
    createdTop = null;
    try {
      enableControllers(dir.getParent()); // may create the ancestors: they are ours to remove too
      Path top = FsSupport.mkdirs(root, dir);
      if (createdTop == null) createdTop = top;
      apply(resources);
      if (devices != null && resources.devices() != null) installDeviceFilter(devices);
    } catch (CgroupException | RuntimeException e) {
      if (createdTop != null) {
        try {
          FsSupport.removeUpTo(dir, createdTop);
        } catch (CgroupException ignored) {
          // the first error is the one to report
        }
        createdTop = null;
      }
      throw e;
    }
  }

  /**
   * Enables, in {@code parent} and each of its ancestors below the root, every controller the
   * ancestor offers (runc does the same, so stats and later updates find their files). Creates
   * missing ancestors on the way. One controller failing (cpuset busy, a threaded subtree) does
   * not stop the others; a missing controller surfaces later as an error naming its field.
   */
  protected void enableControllers(Path parent) throws CgroupException {
    List<Path> chain = new ArrayList<>();
    for (Path p = parent; p != null && p.startsWith(root); p = p.getParent()) chain.add(0, p);
    for (Path p : chain) {
      if (!Files.isDirectory(p)) {
        Path top = FsSupport.mkdirs(root, p);
        if (createdTop == null) createdTop = top;
      }
      String avail = FsSupport.read(p, "cgroup.controllers");
      String enabled = FsSupport.read(p, "cgroup.subtree_control");
      if (avail == null || avail.isBlank()) continue;
      Set<String> have = new LinkedHashSet<>(List.of((enabled == null ? "" : enabled).strip().split("\\s+")));
      List<String> want = new ArrayList<>();
      for (String c : avail.strip().split("\\s+")) if (!have.contains(c)) want.add("+" + c);
      if (want.isEmpty()) continue;
      try {
        CgroupIo.write(p.resolve("cgroup.subtree_control").toString(), String.join(" ", want));
      } catch (SysException all) {
        for (String c : want) {
          try {
            CgroupIo.write(p.resolve("cgroup.subtree_control").toString(), c);
          } catch (SysException one) {
            // reported when a setting needs it
          }
        }
      }
    }
  }

  protected void apply(LinuxResources r) throws CgroupException {
    List<Write> writes = ResourceWrites.v2(r, (c, f) -> FsSupport.read(dir, f));
    for (Write w : writes) {
      if (w.field() != null && w.field().startsWith("linux.resources.unified.") && !Files.exists(dir.resolve(w.file()))) {
        String ctrls = FsSupport.read(dir, "cgroup.controllers");
        throw new CgroupException(w.field() + ": " + dir.resolve(w.file()) + " does not exist ("
            + (ctrls != null && !List.of(ctrls.strip().split("\\s+")).contains(w.controller())
                ? "the " + w.controller() + " controller is not available here; available: " + ctrls.strip()
                : "the kernel offers no file \"" + w.file() + "\"") + ")");
      }
      FsSupport.write(dir, w);
    }
  }

  /** Compiles, loads and attaches the device filter; replaces the ones attached before. */
  protected void installDeviceFilter(List<DeviceRule> rules) throws CgroupException {
    long[] prog = DeviceFilter.compile(rules);
    int cg = -1, fd = -1;
    try {
      cg = CgroupIo.openDirectory(dir.toString());
      int[] old = Bpf.query(cg, Bpf.BPF_CGROUP_DEVICE, dir.toString());
      fd = Bpf.loadCgroupDeviceProgram(prog, DeviceFilter.LICENSE);
      Bpf.attach(cg, fd, Bpf.BPF_CGROUP_DEVICE, Bpf.BPF_F_ALLOW_MULTI, dir.toString());
      // the new filter is in place: only now drop the old ones (no window without a filter)
      for (int id : old) {
        int ofd = Bpf.programFd(id);
        try {
          Bpf.detach(cg, ofd, Bpf.BPF_CGROUP_DEVICE, dir.toString());
        } finally {
          Libc.close(ofd);
        }
      }
    } catch (SysException e) {
      throw new CgroupException("linux.resources.devices: " + e.getMessage(), e);
    } finally {
      Libc.close(fd);
      Libc.close(cg);
    }
  }

  @Override
  public Optional<Path> cloneIntoCgroupPath() {
    return Optional.of(dir);
  }

  @Override
  public void addProcess(int pid) throws CgroupException {
    FsSupport.addProcess(dir, pid);
  }

  @Override
  public void update(LinuxResources r) throws CgroupException {
    if (r == null) return;
    List<DeviceRule> devices = DeviceRule.from(r.devices());
    apply(r);
    if (r.devices() != null && !r.devices().isEmpty()) installDeviceFilter(devices);
  }

  @Override
  public void freeze() throws CgroupException {
    setFrozen(true);
  }

  @Override
  public void thaw() throws CgroupException {
    setFrozen(false);
  }

  private void setFrozen(boolean frozen) throws CgroupException {
    if (!Files.exists(dir.resolve("cgroup.freeze"))) {
      throw new CgroupException((frozen ? "freeze " : "thaw ") + dir + ": the kernel has no cgroup.freeze (cgroup v2 freezer needs Linux 5.2)");
    }
    FsSupport.writeControl(dir, new Write("", "cgroup.freeze", frozen ? "1" : "0", null));
    // cgroup.freeze is the wish, cgroup.events "frozen" the fact: wait for it (tasks in
    // uninterruptible sleep delay it)
    long deadline = System.nanoTime() + 10_000_000_000L;
    for (int i = 0; ; i++) {
      Long f = FsSupport.readKeyed(dir, "cgroup.events").get("frozen");
      if (f == null || (f == 1) == frozen) return;
      if (System.nanoTime() > deadline) {
        if (frozen) FsSupport.writeControl(dir, new Write("", "cgroup.freeze", "0", null));
        throw new CgroupException((frozen ? "freeze " : "thaw ") + dir + ": timed out after 10 s waiting for cgroup.events to say frozen " + (frozen ? 1 : 0));
      }
      FsSupportSleep.sleep(i);
    }
  }

  @Override
  public boolean isFrozen() {
    Long f = FsSupport.readKeyed(dir, "cgroup.events").get("frozen");
    if (f != null) return f == 1;
    String s = FsSupport.read(dir, "cgroup.freeze");
    return s != null && s.strip().equals("1");
  }

  @Override
  public List<Integer> pids() {
    return FsSupport.pidsRecursive(dir);
  }

  @Override
  public long oomKillCount() {
    return FsSupport.readKeyed(dir, "memory.events").getOrDefault("oom_kill", 0L);
  }

  @Override
  public void kill(int signal) throws CgroupException {
    if (signal == Signal.SIGKILL && Files.exists(dir.resolve("cgroup.kill"))) {
      FsSupport.writeControl(dir, new Write("", "cgroup.kill", "1", null));
      return;
    }
    // freeze first so nothing forks a process we miss (runc's signalAllProcesses)
    boolean canFreeze = Files.exists(dir.resolve("cgroup.freeze"));
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
    if (!Files.isDirectory(dir)) return;
    Signals.killAndWait(this);
    FsSupport.removeUpTo(dir, createdTop != null ? createdTop : dir);
  }

  @Override
  public List<Integer> destroyUnlessShared() throws CgroupException {
    if (!Files.isDirectory(dir)) return List.of();
    List<Integer> left = pids();
    if (!left.isEmpty()) return left;
    FsSupport.removeUpTo(dir, createdTop != null ? createdTop : dir);
    return List.of();
  }

  @Override
  public Path v2Dir() {
    return dir;
  }

  @Override
  public Map<String, String> paths() {
    return Map.of("", dir.toString());
  }

  @Override
  public Map<String, String> state() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("driver", driver());
    s.put("layout", Layout.V2.name());
    s.put("root", root.toString());
    s.put("path", dir.toString());
    // only a top above the container's own directory (see V1Manager#state)
    if (createdTop != null && !createdTop.equals(dir)) s.put("createdTop", createdTop.toString());
    return s;
  }

  @Override
  public CgroupStats stats() {
    Map<String, Long> cpu = FsSupport.readKeyed(dir, "cpu.stat");
    var usage = new CgroupStats.CpuUsage(cpu.getOrDefault("usage_usec", 0L) * 1000, List.of(), List.of(), List.of(),
        cpu.getOrDefault("system_usec", 0L) * 1000, cpu.getOrDefault("user_usec", 0L) * 1000);
    var thr = new CgroupStats.Throttling(cpu.getOrDefault("nr_periods", 0L), cpu.getOrDefault("nr_throttled", 0L),
        cpu.getOrDefault("throttled_usec", 0L) * 1000);
    Map<String, Long> raw = FsSupport.readKeyed(dir, "memory.stat");
    long memUsage = FsSupport.readLong(dir, "memory.current");
    long memFail = FsSupport.readKeyed(dir, "memory.events").getOrDefault("max", 0L);
    var mem = new CgroupStats.MemoryEntry(limit(dir, "memory.max"), memUsage, FsSupport.readLong(dir, "memory.peak"), memFail);
    // v1 reported swap as memory+swap; runc keeps that meaning on v2 for its users
    long swapUsage = FsSupport.readLong(dir, "memory.swap.current");
    long swapMax = limit(dir, "memory.swap.max");
    var swap = new CgroupStats.MemoryEntry(mem.limit() == Long.MAX_VALUE || swapMax == Long.MAX_VALUE ? Long.MAX_VALUE : mem.limit() + swapMax,
        memUsage + swapUsage, 0, FsSupport.readKeyed(dir, "memory.swap.events").getOrDefault("max", 0L));
    var memory = new CgroupStats.Memory(raw.getOrDefault("file", 0L), mem, swap, CgroupStats.MemoryEntry.NONE, CgroupStats.MemoryEntry.NONE, raw);
    var pids = new CgroupStats.Pids(FsSupport.readLong(dir, "pids.current"), pidsLimit(dir));
    List<CgroupStats.BlkioEntry> bytes = new ArrayList<>(), ios = new ArrayList<>();
    String io = FsSupport.read(dir, "io.stat");
    if (io != null) {
      for (String line : io.split("\n")) {
        String[] parts = line.strip().split("\\s+");
        if (parts.length < 2 || !parts[0].contains(":")) continue;
        String[] mm = parts[0].split(":");
        long maj = Long.parseLong(mm[0]), min = Long.parseLong(mm[1]);
        for (int i = 1; i < parts.length; i++) {
          String[] kv = parts[i].split("=");
          if (kv.length != 2) continue;
          long v = Long.parseLong(kv[1]);
          switch (kv[0]) {
            case "rbytes" -> bytes.add(new CgroupStats.BlkioEntry(maj, min, "Read", v));
            case "wbytes" -> bytes.add(new CgroupStats.BlkioEntry(maj, min, "Write", v));
            case "rios" -> ios.add(new CgroupStats.BlkioEntry(maj, min, "Read", v));
            case "wios" -> ios.add(new CgroupStats.BlkioEntry(maj, min, "Write", v));
            default -> { }
          }
        }
      }
    }
    Map<String, CgroupStats.Hugetlb> huge = new LinkedHashMap<>();
    for (String size : hugeSizes(dir, ".max")) {
      huge.put(size, new CgroupStats.Hugetlb(FsSupport.readLong(dir, "hugetlb." + size + ".current"), 0,
          FsSupport.readKeyed(dir, "hugetlb." + size + ".events").getOrDefault("max", 0L)));
    }
    CgroupStats stats = new CgroupStats(new CgroupStats.Cpu(usage, thr), memory, pids, new CgroupStats.Blkio(bytes, ios), huge);
    // v2 has the effective sets only, and none of v1's flags (runc's cpuset stats alike)
    String cpus = FsSupport.read(dir, "cpuset.cpus.effective");
    if (cpus == null) return stats;
    return stats.withCpuset(new CgroupStats.CpuSet(CgroupStats.CpuSet.numbers(cpus), 0,
        CgroupStats.CpuSet.numbers(FsSupport.read(dir, "cpuset.mems.effective")), 0, 0, 0, 0, 0, 0, 0, 0));
  }

  static long limit(Path dir, String file) {
    String s = FsSupport.read(dir, file);
    if (s == null) return 0;
    return ResourceWrites.parseLong(s, 0);
  }

  static long pidsLimit(Path dir) {
    String s = FsSupport.read(dir, "pids.max");
    if (s == null || s.strip().equals("max")) return 0; // runc: 0 = unlimited
    return Long.parseLong(s.strip());
  }

  /** Page sizes ("2MB") the hugetlb controller offers here, from file names hugetlb.SIZE{suffix}. */
  public static List<String> hugeSizes(Path dir, String suffix) {
    List<String> out = new ArrayList<>();
    try (var ds = Files.newDirectoryStream(dir, "hugetlb.*" + suffix)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        String size = n.substring("hugetlb.".length(), n.length() - suffix.length());
        if (!size.contains(".")) out.add(size);
      }
    } catch (java.io.IOException e) {
      // no hugetlb controller here
    }
    out.sort(null);
    return out;
  }

  /** Backoff for polling kernel state: 1 ms steps, then 10 ms. */
  static final class FsSupportSleep {
    static void sleep(int i) {
      try {
        Thread.sleep(i < 10 ? 1 : 10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
