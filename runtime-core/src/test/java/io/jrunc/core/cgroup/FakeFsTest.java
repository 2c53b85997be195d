package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.api.stats.CgroupStats;
import io.jrunc.core.cgroup.v1.V1Manager;
import io.jrunc.core.cgroup.v2.V2Manager;
import io.jrunc.spec.LinuxCPU;
import io.jrunc.spec.LinuxMemory;
import io.jrunc.spec.LinuxPids;
import io.jrunc.spec.LinuxResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Managers against temporary directories laid out like each layout (no root, no kernel): the
 * container's directory exists with the files a kernel would offer, so what is written where,
 * the errors, and save/reopen are checked without cgroupfs.
 */
class FakeFsTest {
  @TempDir Path tmp;

  static void files(Path dir, String... nameValue) throws Exception {
    Files.createDirectories(dir);
    for (int i = 0; i < nameValue.length; i += 2) Files.writeString(dir.resolve(nameValue[i]), nameValue[i + 1]);
  }

  static String read(Path p) throws Exception {
    return Files.readString(p);
  }

  @Test
  void v2WritesStatsAndReopens() throws Exception {
    Path root = tmp.resolve("cgroup");
    files(root, "cgroup.controllers", "cpu memory pids\n", "cgroup.subtree_control", "cpu memory pids\n");
    Path dir = root.resolve("jrunc/c1");
    files(root.resolve("jrunc"), "cgroup.controllers", "cpu memory pids\n", "cgroup.subtree_control", "cpu memory pids\n");
    files(dir, "cgroup.controllers", "cpu memory pids\n", "memory.max", "max\n", "memory.swap.max", "max\n", "memory.low", "0\n",
        "cpu.weight", "100\n", "cpu.max", "max 100000\n", "pids.max", "max\n", "cgroup.procs", "12\n34\n",
        "cgroup.events", "populated 1\nfrozen 0\n", "memory.current", "4096\n", "memory.stat", "anon 4096\nfile 8192\n",
        "cpu.stat", "usage_usec 10\nuser_usec 6\nsystem_usec 4\nnr_periods 3\nnr_throttled 1\nthrottled_usec 2\n",
        "pids.current", "2\n", "memory.events", "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\n", "memory.high", "max\n",
        "cpuset.cpus.effective", "0-2,5\n", "cpuset.mems.effective", "0\n");
    files(dir.resolve("sub"), "cgroup.procs", "56\n");
    CgroupHost host = new CgroupHost(root, "22 1 0:20 / " + root + " rw - cgroup2 cgroup2 rw\n", "0::/\n");
    LinuxResources r = new LinuxResources(null, new LinuxMemory(1L << 20, null, 2L << 20, null, null, null, null, null, null),
        new LinuxCPU(1024L, 20000L, null, null, null, null, null, null, null), new LinuxPids(10L), null, null, null, null,
        Map.of("memory.high", "900000"));
    CgroupManager m = Cgroups.create(new CgroupConfig("c1", "/jrunc/c1", r, false, false), host);
    m.create();
    assertThat(read(dir.resolve("memory.max"))).isEqualTo("1048576");
    assertThat(read(dir.resolve("memory.swap.max"))).isEqualTo("1048576");
    assertThat(read(dir.resolve("cpu.weight"))).isEqualTo("100");
    assertThat(read(dir.resolve("cpu.max"))).isEqualTo("20000");
    assertThat(read(dir.resolve("pids.max"))).isEqualTo("10");
    assertThat(read(dir.resolve("memory.high"))).isEqualTo("900000");
    assertThat(m.pids()).containsExactly(12, 34, 56);
    assertThat(m.isFrozen()).isFalse();
    assertThat(m.oomKillCount()).isEqualTo(1);
    CgroupStats s = m.stats();
    assertThat(s.cpu().usage().total()).isEqualTo(10_000);
    assertThat(s.cpu().throttling().throttledTime()).isEqualTo(2_000);
    assertThat(s.memory().usage().usage()).isEqualTo(4096);
    assertThat(s.memory().usage().failcnt()).isEqualTo(5);
    assertThat(s.memory().cache()).isEqualTo(8192);
    assertThat(s.pids().current()).isEqualTo(2);
    assertThat(s.cpuset().cpus()).containsExactly(0, 1, 2, 5); // the effective set, as runc's v2 stats
    assertThat(s.cpuset().mems()).containsExactly(0);
    assertThat(s.intelRdt()).isEmpty();
    assertThat(s.networkInterfaces()).isNull();

    CgroupManager again = Cgroups.reopen(m.state());
    assertThat(again).isInstanceOf(V2Manager.class);
    assertThat(again.paths()).isEqualTo(Map.of("", dir.toString()));
    again.update(new LinuxResources(null, null, null, new LinuxPids(0L), null, null, null, null, Map.of("pids.max", "7")));
    assertThat(read(dir.resolve("pids.max"))).isEqualTo("7");
    assertThatThrownBy(() -> again.update(new LinuxResources(null, null, null, null, null, null, null, null, Map.of("io.max", "8:0 rbps=1"))))
        .hasMessageContaining("linux.resources.unified.io.max: " + dir.resolve("io.max") + " does not exist (the io controller is not available here; available: cpu memory pids)");
  }

  @Test
  void v1WritesIntoEachHierarchyAndNamesMissingOnes() throws Exception {
    Path root = tmp.resolve("cgroup");
    String mi = v1Mounts(root, "memory", "pids", "cpu", "freezer");
    files(root.resolve("memory/x"), "memory.limit_in_bytes", "9223372036854771712\n", "memory.memsw.limit_in_bytes", "9223372036854771712\n",
        "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n", "cgroup.procs", "");
    files(root.resolve("pids/x"), "pids.max", "max\n", "cgroup.procs", "77\n");
    files(root.resolve("cpu/x"), "cpu.shares", "1024\n");
    files(root.resolve("freezer/x"), "freezer.state", "THAWED\n");
    CgroupHost host = new CgroupHost(root, mi, "4:memory:/\n");
    LinuxResources r = new LinuxResources(null, new LinuxMemory(1L << 20, null, 2L << 20, null, null, null, null, null, null),
        null, new LinuxPids(5L), null, null, null, null, null);
    CgroupManager m = Cgroups.create(new CgroupConfig("c1", "/x", r, false, false), host);
    assertThat(m.layout()).isEqualTo(Layout.V1);
    m.create();
    assertThat(read(root.resolve("memory/x/memory.limit_in_bytes"))).isEqualTo("1048576");
    assertThat(read(root.resolve("memory/x/memory.memsw.limit_in_bytes"))).isEqualTo("2097152");
    assertThat(read(root.resolve("pids/x/pids.max"))).isEqualTo("5");
    assertThat(m.pids()).containsExactly(77);
    assertThat(m.oomKillCount()).isEqualTo(3);
    assertThat(m.isFrozen()).isFalse();
    CgroupManager again = Cgroups.reopen(m.state());
    assertThat(again).isInstanceOf(V1Manager.class);
    assertThat(again.paths()).isEqualTo(m.paths());
    // the record keeps no mount points (only create uses them); one from before, with them,
    // re-opens the same, and a re-opened manager does not create
    assertThat(m.state().keySet()).noneMatch(k -> k.startsWith("mount."));
    Map<String, String> old = new java.util.LinkedHashMap<>(m.state());
    old.put("mount.memory", root.resolve("memory").toString());
    assertThat(Cgroups.reopen(old).paths()).isEqualTo(m.paths());
    assertThat(Cgroups.reopen(old).state()).isEqualTo(m.state());
    assertThatThrownBy(again::create).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> again.update(new LinuxResources(null, null, null, null, null, null,
        new io.jrunc.spec.LinuxNetwork(1L, null), null, null)))
        .hasMessage("linux.resources.network.classID: the net_cls cgroup v1 controller is not mounted on this host");
  }

  /**
   * The state names a created top only above the container's own directory (destroy removes that
   * one anyway): where the parent was there, the state after create() is the one create recorded
   * before it, so the record is not written again; where create() made the parent, the state
   * says so, and a reopened manager removes it too.
   */
  @Test
  void stateNamesACreatedTopOnlyAboveTheContainersDirectory() throws Exception {
    Path root = tmp.resolve("v1");
    CgroupHost host = new CgroupHost(root, v1Mounts(root, "memory", "pids"), "4:memory:/\n");
    for (String c : List.of("memory", "pids")) Files.createDirectories(root.resolve(c).resolve("pod"));
    CgroupManager inPod = Cgroups.create(new CgroupConfig("c1", "/pod/c1", null, false, false), host);
    Map<String, String> before = inPod.state();
    inPod.create();
    assertThat(root.resolve("memory/pod/c1")).isDirectory();
    assertThat(inPod.state()).isEqualTo(before).noneSatisfy((k, v) -> assertThat(k).startsWith("createdTop."));
    CgroupManager newParent = Cgroups.create(new CgroupConfig("c2", "/made/c2", null, false, false), host);
    newParent.create();
    assertThat(newParent.state()).containsEntry("createdTop." + root.resolve("memory/made/c2"), root.resolve("memory/made").toString())
        .containsEntry("createdTop." + root.resolve("pids/made/c2"), root.resolve("pids/made").toString());
    assertThat(Cgroups.reopen(newParent.state()).state()).isEqualTo(newParent.state());

    Path v2 = tmp.resolve("v2");
    Files.createDirectories(v2.resolve("pod"));
    CgroupHost host2 = new CgroupHost(v2, "22 1 0:20 / " + v2 + " rw - cgroup2 cgroup2 rw\n", "0::/\n");
    CgroupManager m2 = Cgroups.create(new CgroupConfig("c3", "/pod/c3", null, false, false), host2);
    Map<String, String> before2 = m2.state();
    m2.create();
    assertThat(m2.state()).isEqualTo(before2).doesNotContainKey("createdTop");
    CgroupManager made2 = Cgroups.create(new CgroupConfig("c4", "/made/c4", null, false, false), host2);
    made2.create();
    assertThat(made2.state()).containsEntry("createdTop", v2.resolve("made").toString());
  }

  /**
   * What init joins by itself on v1 and hybrid (CgroupManager.selfJoin): the tasks file of each
   * v1 hierarchy's directory and, on hybrid, the unified directory to clone into; never the
   * unified one by tasks (v2 has none). v2 clones into its cgroup, and a rootless fallback leaves
   * the move to the parent: no self-join for either.
   */
  @Test
  void v1AndHybridInitJoinsByItselfV2AndRootlessDoNot() throws Exception {
    Path root = tmp.resolve("cgroup");
    String mi = v1Mounts(root, "memory", "pids");
    Files.createDirectories(root.resolve("unified"));
    String hybrid = mi + "99 1 0:99 / " + root.resolve("unified") + " rw - cgroup2 cgroup2 rw\n";
    CgroupManager h = Cgroups.create(new CgroupConfig("c1", "/x/c1", null, false, false),
        new CgroupHost(root, hybrid, "4:memory:/\n5:pids:/\n0::/\n"));
    assertThat(h.layout()).isEqualTo(Layout.HYBRID);
    CgroupManager.SelfJoin j = h.selfJoin().orElseThrow();
    assertThat(j.cloneInto()).isEqualTo(root.resolve("unified/x/c1"));
    assertThat(j.tasks()).containsExactlyInAnyOrder(root.resolve("memory/x/c1/tasks"), root.resolve("pids/x/c1/tasks"));

    CgroupManager v1 = Cgroups.create(new CgroupConfig("c1", "/x/c1", null, false, false),
        new CgroupHost(root, mi, "4:memory:/\n5:pids:/\n"));
    assertThat(v1.layout()).isEqualTo(Layout.V1);
    assertThat(v1.selfJoin().orElseThrow().cloneInto()).isNull();
    assertThat(v1.selfJoin().orElseThrow().tasks()).hasSize(2);

    Path v2root = tmp.resolve("v2");
    files(v2root, "cgroup.controllers", "pids\n", "cgroup.subtree_control", "pids\n");
    CgroupManager v2 = Cgroups.create(new CgroupConfig("c1", "/x/c1", null, false, false),
        new CgroupHost(v2root, "22 1 0:20 / " + v2root + " rw - cgroup2 cgroup2 rw\n", "0::/\n"));
    assertThat(v2.selfJoin()).isEmpty();
    assertThat(new RootlessFallback(h, null, false).selfJoin()).isEmpty();
  }

  @Test
  void rootlessWithoutLimitsRunsWithoutACgroup() throws Exception {
    CgroupManager denied = new FailingCreate("create cgroup mkdir /sys/fs/cgroup/x: permission denied (EACCES)");
    RootlessFallback f = new RootlessFallback(denied, null, false);
    f.create();
    assertThat(f.driver()).isEqualTo("none");
    assertThat(f.pids()).isEmpty();
    assertThatThrownBy(f::freeze).hasMessageContaining("has no cgroup of its own");
    assertThat(Cgroups.reopen(f.state()).driver()).isEqualTo("none");
    LinuxResources limits = new LinuxResources(null, null, null, new LinuxPids(5L), null, null, null, null, null);
    assertThatThrownBy(() -> new RootlessFallback(denied, limits, false).create()).hasMessageContaining("(EACCES)");
  }

  /** A manager whose create() fails with a given message. */
  record FailingCreate(String message) implements CgroupManager {
    public String driver() { return "cgroupfs"; }
    public Layout layout() { return Layout.V2; }
    public void create() throws CgroupException { throw new CgroupException(message); }
    public java.util.Optional<Path> cloneIntoCgroupPath() { return java.util.Optional.empty(); }
    public void addProcess(int pid) {}
    public void update(LinuxResources r) {}
    public void freeze() {}
    public void thaw() {}
    public boolean isFrozen() { return false; }
    public List<Integer> pids() { return List.of(); }
    public CgroupStats stats() { return null; }
    public long oomKillCount() { return 0; }
    public void kill(int s) {}
    public void destroy() {}
    public Map<String, String> paths() { return Map.of(); }
    public Map<String, String> state() { return Map.of(); }
  }

  /** mountinfo lines of one v1 hierarchy per controller, each mounted at {@code root/controller} (made here). */
  private static String v1Mounts(Path root, String... controllers) throws java.io.IOException {
    StringBuilder mi = new StringBuilder();
    int n = 30;
    for (String c : controllers) {
      Files.createDirectories(root.resolve(c));
      mi.append(n).append(" 1 0:").append(n++).append(" / ").append(root.resolve(c)).append(" rw - cgroup cgroup rw,").append(c).append('\n');
    }
    return mi.toString();
  }
}
