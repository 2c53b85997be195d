package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrunc.testsupport.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resource control through the CLI on this machine's cgroup layout (v1 hybrid here; the
 * cgroup library's own tests cover v2 and systemd in the VM lane).
 */
@RequiresRoot("runs containers in cgroups of its own")
class CliCgroupTest {
  @TempDir Path tmp;

  /** Its checks read the v1 hierarchies' files (memory.limit_in_bytes, pids.max, devices.list, ...). */
  @BeforeEach
  void v1Hierarchies() {
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/sys/fs/cgroup/memory")),
        "reads cgroup v1 files: no /sys/fs/cgroup/memory here (pure v2: the VM lane's other tests cover it)");
  }

  private static String cgroupsPath(Bundle b) {
    return b.linux().get("cgroupsPath").asText();
  }

  /** Removes a cgroup directory this test made, trying for up to a second while it is busy. */
  private static void removeOnceEmpty(Path dir) throws InterruptedException {
    for (int i = 0; i < 50 && Files.exists(dir); i++) {
      try {
        Files.delete(dir);
      } catch (java.io.IOException busy) {
        Thread.sleep(20);
      }
    }
  }

  /** Which of the container's cgroup directories still exist (none should after delete). */
  private static java.util.List<Path> leftovers(String cgroupsPath) {
    java.util.List<Path> left = new java.util.ArrayList<>();
    for (String h : new String[] {"memory", "pids", "cpu", "freezer", "devices", "unified"}) {
      Path p = Path.of("/sys/fs/cgroup", h).resolve(cgroupsPath.substring(1));
      if (Files.exists(p)) left.add(p);
    }
    return left;
  }

  @Test
  void memoryHogUnderSixteenMegabytesIsKilled() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh("cat /sys/fs/cgroup/memory/memory.limit_in_bytes >&2; tail /dev/zero");
    ObjectNode res = b.linux().putObject("resources");
    res.putObject("memory").put("limit", 16L << 20).put("swap", 16L << 20);
    var r = j.run("run", "--bundle", b.write().toString(), "hog");
    assertThat(r.exit()).as(r.toString()).isEqualTo(137);
    assertThat(r.err()).startsWith("16777216");
    assertThat(leftovers(cgroupsPath(b))).isEmpty();
  }

  /**
   * Device cgroup access letters beyond r, w, m ("rwa" in older configs): accepted as runc does,
   * the unknown letter ignored with a warning that names it; the rule holds what is left.
   */
  @Test
  void deviceAccessLettersBeyondRwmAreIgnoredWithAWarning() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("sleep", "100");
    ((com.fasterxml.jackson.databind.node.ArrayNode) b.linux().get("resources").get("devices")).addObject()
        .put("allow", true).put("type", "c").put("major", 1).put("minor", 11).put("access", "rwa");
    var r = j.run("create", "--bundle", b.write().toString(), "rootfs-rwa");
    try {
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.err()).contains("linux.resources.devices[1].access: \\\"rwa\\\": ignoring unknown access letter 'a'"
          + " (only r, w and m exist)");
      Path list = Path.of("/sys/fs/cgroup/devices", cgroupsPath(b).substring(1), "devices.list");
      assertThat(Files.readString(list)).contains("c 1:11 rw\n");
    } finally {
      j.run("delete", "--force", "rootfs-rwa");
    }
    assertThat(leftovers(cgroupsPath(b))).isEmpty();
  }

  /**
   * delete --force on pure cgroup v1 (no cgroup.kill): init of the container's own pid namespace
   * is killed and the kernel ends the rest of the namespace with it, running or paused: every
   * process is gone and no directory is left. A process of no namespace of the container's, moved
   * into its cgroups by hand, is not the container's and is left alone, as runc leaves it (it
   * signals a cgroup's processes only for a container without a pid namespace of its own): the
   * container is deleted, its cgroup stays for that process, with a warning.
   */
  @Test
  void deleteForceOnPureV1EndsEveryProcessRunningOrPaused() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Jrunc.HYBRID, "needs the hybrid layout to make a pure v1 view of it");
    Jrunc j = new Jrunc(tmp.resolve("root")).inPureV1();
    for (String mode : new String[] {"running", "paused", "stray"}) {
      Bundle b = Bundle.busybox(tmp.resolve("b-" + mode)).sh("sleep 100 & sleep 100 & wait");
      String id = "v1-" + mode;
      assertThat(j.run("run", "-d", "--bundle", b.write().toString(), id).exit()).isZero();
      Process stray = null;
      try { // from here on the container is deleted whatever fails
        String cg = cgroupsPath(b).substring(1);
        assertThat(Path.of("/sys/fs/cgroup/unified", cg)).doesNotExist(); // the view was v1 only
        // run -d returns once sh is exec'd; its two sleeps are forked after that
        java.util.List<Long> pids = new java.util.ArrayList<>();
        for (long end = System.nanoTime() + 10_000_000_000L; pids.size() < 3 && System.nanoTime() < end; Thread.sleep(20)) {
          pids.clear();
          for (String l : Files.readString(Path.of("/sys/fs/cgroup/pids", cg, "cgroup.procs")).split("\n")) {
            if (!l.isBlank()) pids.add(Long.parseLong(l.strip()));
          }
        }
        assertThat(pids).hasSize(3);
        if (mode.equals("paused")) assertThat(j.run("pause", id).exit()).isZero();
        if (mode.equals("stray")) {
          stray = new ProcessBuilder("sleep", "100").start();
          for (Path h : Files.newDirectoryStream(Path.of("/sys/fs/cgroup"))) {
            Path procs = h.resolve(cg).resolve("cgroup.procs");
            if (Files.exists(procs)) Files.writeString(procs, Long.toString(stray.pid()));
          }
          pids.add(stray.pid());
        }
        var r = j.run("delete", "--force", id);
        assertThat(r.exit()).as(mode + ": " + r).isZero();
        assertThat(j.run("state", id).exit()).as(mode).isEqualTo(1);
        if (stray != null) {
          assertThat(stray.isAlive()).as("the stray process is left alone").isTrue();
          assertThat(r.err()).contains("the cgroup of " + id + " is not removed: processes [" + stray.pid() + "]");
          pids.remove(stray.pid());
          stray.destroyForcibly().waitFor();
          try (var hs = Files.newDirectoryStream(Path.of("/sys/fs/cgroup"))) { // what the stray kept
            for (Path h : hs) if (Files.isDirectory(h.resolve(cg))) Files.delete(h.resolve(cg));
          }
        }
        assertThat(leftovers(cgroupsPath(b))).as(mode).isEmpty();
        for (long pid : pids) { // gone, or a zombie waiting for the host's reaper
          Path stat = Path.of("/proc/" + pid + "/stat");
          if (Files.exists(stat)) {
            String st = Files.readString(stat);
            assertThat(st.charAt(st.lastIndexOf(')') + 2)).as(mode + ": pid " + pid).isEqualTo('Z');
          }
        }
      } finally {
        if (stray != null) stray.destroyForcibly();
        j.run("delete", "--force", id);
      }
    }
  }

  @Test
  void forkStormStopsAtThePidsLimit() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    // xargs starts 40 sleeps at once; forks past the limit fail (busybox sh itself would exit on one)
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh("seq 40 | xargs -P 40 -n 1 sleep 100 2>/dev/null; sleep 100");
    b.linux().putObject("resources").putObject("pids").put("limit", 10);
    assertThat(j.run("run", "-d", "--bundle", b.write().toString(), "storm").exit()).isZero();
    Path cg = Path.of("/sys/fs/cgroup/pids", cgroupsPath(b).substring(1));
    // the storm usually fills the cgroup within a few hundred ms, but a fixed 1 s wait once read
    // 9 (a fresh clone's full suite): look until it is full, for up to 10 s, and never above the
    // limit
    int current = 0;
    for (int i = 0; i < 200 && current != 10; i++, Thread.sleep(50)) {
      current = Integer.parseInt(Files.readString(cg.resolve("pids.current")).trim());
      assertThat(current).as("pids.current").isLessThanOrEqualTo(10);
    }
    assertThat(current).as("pids.current, the storm at its limit").isEqualTo(10);
    assertThat(Files.readString(cg.resolve("pids.events"))).matches("max [1-9][0-9]*\\n");
    // an exec'd process joins the container's cgroup, so it counts against the limit too
    var e = j.run("exec", "storm", "true");
    assertThat(e.exit()).isNotZero();
    assertThat(j.run("delete", "--force", "storm").exit()).isZero();
    assertThat(leftovers(cgroupsPath(b))).isEmpty();
  }

  @Test
  void updatePauseResumePsAndEvents() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh("sleep 100 & sleep 100 & wait");
    b.linux().putObject("resources").putObject("pids").put("limit", 100);
    assertThat(j.run("run", "-d", "--bundle", b.write().toString(), "u1").exit()).isZero();
    String cg = cgroupsPath(b).substring(1);
    Path pidsMax = Path.of("/sys/fs/cgroup/pids", cg, "pids.max");
    assertThat(Files.readString(pidsMax).trim()).isEqualTo("100");
    var up = j.run("update", "--pids-limit", "42", "u1");
    assertThat(up.exit()).as(up.toString()).isZero();
    assertThat(Files.readString(pidsMax).trim()).isEqualTo("42");
    JsonNode pids = Bundle.node(j.run("ps", "--format", "json", "u1").out());
    assertThat(pids.size()).isEqualTo(3); // sh and its two sleeps
    assertThat(j.run("pause", "u1").exit()).isZero();
    assertThat(Bundle.node(j.run("state", "u1").out()).get("status").asText()).isEqualTo("paused");
    for (JsonNode p : pids) {
      String st = Files.readString(Path.of("/proc/" + p.asInt() + "/stat"));
      assertThat(st.substring(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3)).isIn("D", "S"); // frozen: not running
    }
    assertThat(Files.readString(Path.of("/sys/fs/cgroup/freezer", cg, "freezer.state")).trim()).isEqualTo("FROZEN");
    assertThat(j.run("resume", "u1").exit()).isZero();
    assertThat(Bundle.node(j.run("state", "u1").out()).get("status").asText()).isEqualTo("running");
    JsonNode ev = Bundle.node(j.run("events", "--stats", "u1").out());
    assertThat(ev.get("type").asText()).isEqualTo("stats");
    assertThat(ev.get("id").asText()).isEqualTo("u1");
    assertThat(ev.get("data").get("pids").get("current").asInt()).isEqualTo(3);
    assertThat(ev.get("data").get("memory").get("usage").get("usage").asLong()).isPositive();
    assertThat(ev.get("data").get("cpu").get("usage").get("total").asLong()).isPositive();
    // runc's keys, in its order: cpuset (the cgroup's CPUs as numbers), intel_rdt {} and
    // network_interfaces null where there is nothing to say
    java.util.List<String> keys = new java.util.ArrayList<>();
    ev.get("data").fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactly("cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt", "network_interfaces");
    java.util.List<Integer> cpus = new java.util.ArrayList<>();
    ev.get("data").get("cpuset").get("cpus").forEach(n -> cpus.add(n.asInt()));
    assertThat(cpus).isEqualTo(io.jrunc.core.api.stats.CgroupStats.CpuSet.numbers(
        Files.readString(Path.of("/sys/fs/cgroup/cpuset", cg, "cpuset.cpus"))));
    assertThat(ev.get("data").get("cpuset").has("sched_relax_domain_level")).isTrue();
    assertThat(ev.get("data").get("intel_rdt").isObject()).isTrue();
    assertThat(ev.get("data").get("network_interfaces").isNull()).isTrue();
    assertThat(j.run("delete", "--force", "u1").exit()).isZero();
    assertThat(leftovers(cgroupsPath(b))).isEmpty();
    for (JsonNode p : pids) { // gone, or a zombie waiting for the host's reaper
      Path stat = Path.of("/proc/" + p.asInt() + "/stat");
      if (Files.exists(stat)) {
        String st = Files.readString(stat);
        assertThat(st.charAt(st.lastIndexOf(')') + 2)).isEqualTo('Z');
      }
    }
  }

  @Test
  void invalidResourcesNameTheFieldAndLeaveNoCgroup() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("true");
    b.linux().putObject("resources").putObject("cpu").put("cpus", "0-4096");
    var r = j.run("create", "--bundle", b.write().toString(), "bad");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("cpus");
    assertThat(leftovers(cgroupsPath(b))).isEmpty();
    assertThat(j.run("list", "-q").out()).isEmpty();
  }

  /**
   * Device rules a v1 devices cgroup holds as written, and one it cannot: a major or minor of -1
   * is "*" (docker and podman write it for --device-cgroup-rule 'c 42:* rwm'; jrunc refused the
   * config); a deny inside an earlier wildcard allow is refused with nothing left, as runc
   * refuses it (the kernel removes only exact exceptions: the device stayed usable).
   */
  @Test
  void wildcardDeviceRulesAndHolesInThem() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("true");
    var rules = b.linux().putObject("resources").putArray("devices");
    rules.addObject().put("allow", false).put("access", "rwm");
    rules.addObject().put("allow", true).put("type", "c").put("major", 42).put("minor", -1).put("access", "rwm");
    var r = j.run("create", "--bundle", b.write().toString(), "wild");
    try {
      assertThat(r.exit()).as(r.toString()).isZero();
      Path list = Path.of("/sys/fs/cgroup/devices", cgroupsPath(b).substring(1), "devices.list");
      assertThat(Files.readString(list)).contains("c 42:* rwm\n");
    } finally {
      j.run("delete", "--force", "wild");
    }
    rules.addObject().put("allow", false).put("type", "c").put("major", 42).put("minor", 7).put("access", "rw");
    r = j.run("create", "--bundle", b.write().toString(), "hole");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("linux.resources.devices[2]: deny c 42:7 rw cannot be set on a cgroup v1 devices controller:"
        + " it lies inside the earlier allow c 42:* rwm");
    assertThat(j.run("list", "-q").out()).isEmpty();
    assertThat(leftovers(cgroupsPath(b))).isEmpty();
  }

  /** A device in linux.devices exists in the container, but a deny-all device rule still holds for it (runc). */
  @Test
  void aListedDeviceStaysDeniedByTheDeviceRules() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh("test -c /dev/kmsg && echo node; echo x > /dev/kmsg || echo denied");
    b.linux().putArray("devices").addObject().put("path", "/dev/kmsg").put("type", "c").put("major", 1).put("minor", 11);
    b.linux().putObject("resources").putArray("devices").addObject().put("allow", false).put("access", "rwm");
    var r = j.run("run", "--bundle", b.write().toString(), "kmsg");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("node\ndenied\n");
  }

  /**
   * runc's checks of a cgroup that exists before create: a frozen one is refused (init would
   * freeze before it ran) and left as it was; one another container's processes are in is
   * refused too (runc 1.2's "runc run/create should error for a non-empty cgroup"; it was a
   * warning), for run and create, and the first container is left running in it.
   */
  @Test
  void aFrozenOrNonEmptyCgroupIsRefused() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("sleep", "100");
    Path freezer = Path.of("/sys/fs/cgroup/freezer").resolve(cgroupsPath(b).substring(1));
    Files.createDirectories(freezer);
    try {
      Files.writeString(freezer.resolve("freezer.state"), "FROZEN");
      var r = j.run("run", "-d", "--bundle", b.write().toString(), "fz");
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err()).contains("container's cgroup unexpectedly frozen");
      assertThat(Files.readString(freezer.resolve("freezer.state")).trim()).isEqualTo("FROZEN");
      assertThat(j.run("list", "-q").out()).isEmpty();
      Files.writeString(freezer.resolve("freezer.state"), "THAWED");
      assertThat(j.run("run", "-d", "--bundle", b.dir.toString(), "first").exit()).isZero();
      for (String verb : new String[] {"run", "create"}) {
        var second = verb.equals("run") ? j.run("run", "-d", "--bundle", b.dir.toString(), "second")
            : j.run("create", "--bundle", b.dir.toString(), "second");
        assertThat(second.exit()).as(second.toString()).isEqualTo(1);
        assertThat(second.err()).contains("container's cgroup is not empty: 1 process(es) found");
      }
      assertThat(j.run("list", "-q").out()).isEqualTo("first\n");
      assertThat(Bundle.node(j.run("state", "first").out()).get("status").asText()).isEqualTo("running");
      assertThat(Files.readString(freezer.resolve("cgroup.procs")).trim()).isNotEmpty();
    } finally {
      j.run("delete", "-f", "second");
      j.run("delete", "-f", "first");
      removeOnceEmpty(freezer);
    }
  }

  /**
   * delete --force of a container whose init was moved into a frozen freezer cgroup that is not
   * the container's (the test's own; crun's test_simple_delete does this): the SIGKILL waits in
   * the kernel until that cgroup thaws, and jrunc never touches a cgroup it did not make. After
   * its 20 s wait the delete fails, naming init and why, and keeps the container (record and
   * cgroups), as runc's "container init still running"; once thawed, init dies of the pending
   * SIGKILL and a plain delete removes everything. (Before, the delete exited 0 having removed
   * the record and left init and the container's cgroups behind.)
   */
  @Test
  void forcedDeleteOfAnInitFrozenElsewhereFailsAndKeepsTheContainer() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("sleep", "1000");
    String cg = cgroupsPath(b);
    Path foreign = Path.of("/sys/fs/cgroup/freezer", "jrunc-test-foreign-" + ProcessHandle.current().pid());
    Files.createDirectories(foreign);
    try {
      assertThat(j.run("run", "-d", "--bundle", b.write().toString(), "fe").exit()).isZero();
      String pid = Bundle.node(j.run("state", "fe").out()).get("pid").asText();
      Files.writeString(foreign.resolve("cgroup.procs"), pid);
      Files.writeString(foreign.resolve("freezer.state"), "FROZEN");
      var del = j.run("delete", "--force", "fe");
      assertThat(del.exit()).as(del.toString()).isEqualTo(1);
      assertThat(del.err()).contains("delete fe: its init " + pid + " did not exit within 20 s of SIGKILL (frozen by a"
          + " freezer cgroup other than the container's");
      assertThat(j.run("list", "-q").out()).isEqualTo("fe\n");
      assertThat(leftovers(cg)).isNotEmpty();
      assertThat(Path.of("/proc", pid)).exists();
      Files.writeString(foreign.resolve("freezer.state"), "THAWED");
      for (int i = 0; i < 100 && !"stopped".equals(Bundle.node(j.run("state", "fe").out()).get("status").asText()); i++) {
        Thread.sleep(50);
      }
      var again = j.run("delete", "fe");
      assertThat(again.exit()).as(again.toString()).isZero();
      assertThat(j.run("list", "-q").out()).isEmpty();
      assertThat(leftovers(cg)).isEmpty();
    } finally {
      if (Files.exists(foreign.resolve("freezer.state"))) Files.writeString(foreign.resolve("freezer.state"), "THAWED");
      j.run("delete", "-f", "fe");
      removeOnceEmpty(foreign);
    }
  }

  /**
   * kill and delete --force start ProcessHandle's set-up on a thread of their own
   * (InitSignals.prepare). Where a pids limit leaves the CLI's JVM no thread beyond those it
   * starts with, that thread cannot be had: they signal and delete all the same (and a create,
   * which cannot go on there, says why in one line and leaves nothing). The limit is
   * found, not assumed: the smallest pids.max at which the same JVM starts and answers for a
   * container that is not there (no set-up thread on that path).
   */
  @Test
  void killAndForcedDeleteWorkWhenAPidsLimitLeavesNoThreadToSpare() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle a = Bundle.busybox(tmp.resolve("a")).args("sleep", "1000");
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("sleep", "1000");
    // the CLI's own pids cgroup: one of this test's, beside the tests' parent, removed below
    Path limited = Path.of("/sys/fs/cgroup/pids", "jrunc-test-cli-" + ProcessHandle.current().pid());
    Files.createDirectories(limited);
    try {
      for (var r : new Jrunc.Result[] {j.run("run", "-d", "--bundle", a.write().toString(), "pa"),
          j.run("run", "-d", "--bundle", b.write().toString(), "pb")}) {
        assertThat(r.exit()).as(r.toString()).isZero();
      }
      String enter = "echo $$ > " + limited.resolve("cgroup.procs") + "; exec \"$0\" --root \"$1\" ";
      int limit = 0;
      for (int n = 4; n <= 64 && limit == 0; n++) {
        Files.writeString(limited.resolve("pids.max"), Integer.toString(n));
        if (j.runInBashRaw(enter + "kill nosuch KILL").err().contains("container does not exist")) limit = n;
      }
      assertThat(limit).as("a pids.max under which the CLI's JVM starts").isPositive();
      Files.writeString(limited.resolve("pids.max"), Integer.toString(limit));
      var kill = j.runInBashRaw(enter + "kill pa KILL");
      assertThat(kill.exit()).as("kill at pids.max " + limit + ": " + kill).isZero();
      assertThat(kill.err()).doesNotContain("level=error");
      var delete = j.runInBashRaw(enter + "delete --force pb");
      assertThat(delete.exit()).as("delete --force at pids.max " + limit + ": " + delete).isZero();
      assertThat(delete.err()).doesNotContain("level=error");
      assertThat(j.run("state", "pb").exit()).isEqualTo(1);
      assertThat(leftovers(cgroupsPath(b))).isEmpty();
      // a create there cannot have its link thread (nor would its clone have a pid): one error
      // line that says so, and nothing made
      Bundle c = Bundle.busybox(tmp.resolve("c")).args("true");
      var create = j.runInBashRaw(enter + "create --bundle " + c.write() + " pc");
      assertThat(create.exit()).as("create at pids.max " + limit + ": " + create).isEqualTo(1);
      assertThat(create.err().lines().filter(l -> l.contains("level=error")).toList()).as(create.toString())
          .singleElement().asString().contains("out of resources: unable to create native thread");
      assertThat(j.run("state", "pc").err()).contains("container does not exist");
      assertThat(leftovers(cgroupsPath(c))).isEmpty();
      // pa was killed: it stops
      String status = "";
      for (int i = 0; i < 100 && !status.contains("\"stopped\""); i++, Thread.sleep(20)) status = j.run("state", "pa").out();
      assertThat(status).contains("\"stopped\"");
    } finally {
      j.run("delete", "-f", "pa");
      j.run("delete", "-f", "pb");
      removeOnceEmpty(limited);
    }
  }
}
