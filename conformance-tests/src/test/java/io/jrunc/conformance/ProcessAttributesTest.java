package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrunc.testsupport.RequiresRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** personality, scheduler, ioPriority, execCPUAffinity, memoryPolicy, rlimits, sysctl, domainname: seen from inside. */
class ProcessAttributesTest {
  @TempDir Path tmp;

  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void attributesAreWhatTheConfigSays() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh(
        "uname -m; grep -E '^policy' /proc/self/sched | tr -d ' \\t'; grep Cpus_allowed_list /proc/self/status | tr -d ' \\t';"
            + " ulimit -n; cat /proc/sys/kernel/msgmax; cat /proc/sys/kernel/domainname; cat /proc/self/oom_score_adj");
    ObjectNode p = b.process();
    p.putObject("scheduler").put("policy", "SCHED_BATCH").put("nice", 5);
    p.putObject("ioPriority").put("class", "IOPRIO_CLASS_BE").put("priority", 6);
    p.putObject("execCPUAffinity").put("final", "0"); // for exec'd processes only: not init's
    p.put("oomScoreAdj", 123);
    ((ObjectNode) p.withArray("rlimits").get(0)).put("hard", 512).put("soft", 256); // RLIMIT_NOFILE in runc's spec
    b.linux().putObject("personality").put("domain", "LINUX32");
    b.linux().putObject("memoryPolicy").put("mode", "MPOL_BIND").put("nodes", "0");
    b.linux().putObject("sysctl").put("kernel.msgmax", "12345");
    b.config.put("domainname", "example.org");
    var r = j.run("run", "--bundle", b.write().toString(), "attrs");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("""
        i686
        policy:3
        Cpus_allowed_list:%s
        256
        12345
        example.org
        123
        """.formatted(ownCpus()));
  }

  /**
   * A time namespace with offsets, alone and beside a new user namespace (runc's bats "joining
   * existing container namespaces" starts one such): inside the user namespace the offsets file,
   * opened there, failed with EACCES (a non-dumpable process's /proc files belong to the host's
   * root); init opens it first thing now. With a pid namespace init forks into, the child is
   * born in the time namespace.
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void timeOffsetsWithAndWithoutAUserNamespace() throws Exception {
    java.nio.file.Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    Jrunc j = new Jrunc(tmp.resolve("root"));
    for (boolean userns : new boolean[] {false, true}) {
      Bundle b = Bundle.busybox(tmp.resolve("t" + userns)).sh("cat /proc/self/timens_offsets; readlink /proc/self/ns/time");
      b.addNamespace("time", null);
      b.linux().putObject("timeOffsets").putObject("monotonic").put("secs", 7881).put("nanosecs", 2718281);
      if (userns) b.inUserNamespace(100000);
      var r = j.run("run", "--bundle", b.write().toString(), "time-" + userns);
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out().replaceAll("[ \t]+", " ")).as("user namespace: " + userns).startsWith("monotonic 7881 2718281\nboottime 0 0\ntime:[")
          .doesNotContain(java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/time")).toString());
    }
  }

  /**
   * linux.memoryPolicy holds for every process of the container: an exec'd one (not init's child,
   * so it inherits nothing of init's) got the default policy (runc's memorypolicy.bats).
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void anExecdProcessHasTheContainersMemoryPolicy() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("m")).args("sleep", "100");
    b.linux().putObject("memoryPolicy").put("mode", "MPOL_PREFERRED").put("nodes", "0").putArray("flags").add("MPOL_F_RELATIVE_NODES");
    assertThat(j.run("run", "-d", "--bundle", b.write().toString(), "mp").exit()).isZero();
    try {
      String pid = Bundle.node(j.run("state", "mp").out()).get("pid").asText();
      assertThat(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/numa_maps")).get(0).split(" ")[1])
          .isEqualTo("prefer=relative:0");
      var e = j.run("exec", "mp", "sh", "-c", "head -n 1 /proc/self/numa_maps | cut -d ' ' -f 2");
      assertThat(e.out()).as(e.toString()).isEqualTo("prefer=relative:0\n");
    } finally {
      j.run("delete", "--force", "mp");
    }
  }

  /**
   * A container's processes run on its cpuset's CPUs, not on the runtime's affinity (runc
   * 1.2.7/1.3.1 and crun 1.9.2 reset it; runc's cpu_affinity.bats): jrunc started under {@code
   * taskset -c 0}. execCPUAffinity is not init's (config.md); an exec'd process gets its final
   * set, else the container's.
   */
  @RequiresRoot("runs containers with cgroups, under taskset")
  @Test
  void cpuAffinityIsTheContainersNotTheRuntimes() throws Exception {
    String all = ownCpus();
    assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs two CPUs: " + all);
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh("grep Cpus_allowed_list /proc/self/status | tr -d ' \\t'");
    b.process().putObject("execCPUAffinity").put("initial", "1").put("final", "1");
    var r = j.runInBashRaw("exec taskset -c 0 \"$0\" --root \"$1\" run --bundle " + b.write() + " aff-all");
    assertThat(r.out()).as(r.toString()).isEqualTo("Cpus_allowed_list:" + all + "\n");

    ObjectNode res = b.linux().has("resources") ? (ObjectNode) b.linux().get("resources") : b.linux().putObject("resources");
    res.putObject("cpu").put("cpus", "1").put("mems", "0");
    r = j.runInBashRaw("exec taskset -c 0 \"$0\" --root \"$1\" run --bundle " + b.write() + " aff-set");
    assertThat(r.out()).as(r.toString()).isEqualTo("Cpus_allowed_list:1\n");

    res.remove("cpu");
    b.process().remove("execCPUAffinity");
    b.args("sleep", "100");
    assertThat(j.run("run", "-d", "--bundle", b.write().toString(), "aff-exec").exit()).isZero();
    try {
      r = j.runInBashRaw("exec taskset -c 0 \"$0\" --root \"$1\" exec aff-exec grep Cpus_allowed_list /proc/self/status");
      assertThat(r.out()).as(r.toString()).isEqualTo("Cpus_allowed_list:\t" + all + "\n");
      Path proc = tmp.resolve("process.json");
      Files.writeString(proc, """
          {"args": ["grep", "Cpus_allowed_list", "/proc/self/status"], "cwd": "/",
           "execCPUAffinity": {"initial": "0", "final": "1"}}""");
      r = j.run("exec", "--process", proc.toString(), "aff-exec");
      assertThat(r.out()).as(r.toString()).isEqualTo("Cpus_allowed_list:\t1\n");
    } finally {
      j.run("delete", "-f", "aff-exec");
    }
  }

  /** The CPUs this JVM may run on, as /proc/self/status lists them. */
  private static String ownCpus() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Cpus_allowed_list:")) return line.substring(line.indexOf(':') + 1).strip();
    }
    throw new IOException("no Cpus_allowed_list in /proc/self/status");
  }

  /**
   * Without process.rlimits the container keeps its caller's RLIMIT_NOFILE: the JVM raises its
   * own soft limit to the hard one unless told not to (bin/jrunc's -XX:-MaxFDLimit), and the
   * raised one reached the container. runc built with Go 1.21 or later and crun pass it on too.
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void theCallersOpenFileLimitReachesTheContainer() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh("echo $(ulimit -Sn) $(ulimit -Hn)");
    b.process().remove("rlimits");
    var r = j.runInBashRaw("ulimit -Sn 512 && ulimit -Hn 4096 && exec \"$0\" --root \"$1\" run --bundle " + b.write() + " nofile");
    assertThat(r.out()).as(r.toString()).isEqualTo("512 4096\n");
  }

  /** additionalGids are set once each (setgroups(2) keeps duplicates; runc's list has none). */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void duplicateAdditionalGidsAreSetOnce() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh("grep Groups /proc/self/status");
    b.process().putObject("user").put("uid", 0).put("gid", 0).putArray("additionalGids").add(5).add(0).add(5).add(3);
    var r = j.run("run", "--bundle", b.write().toString(), "gids");
    assertThat(r.out().strip()).as(r.toString()).isEqualTo("Groups:\t0 3 5");
  }

  /** The container's personality holds for exec'd processes too (runc). */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void execGetsTheContainersPersonality() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("sleep", "100");
    b.linux().putObject("personality").put("domain", "LINUX32");
    assertThat(j.run("run", "-d", "--bundle", b.write().toString(), "pers").exit()).isZero();
    try {
      var r = j.run("exec", "pers", "uname", "-m");
      assertThat(r.out()).as(r.toString()).isEqualTo("i686\n");
    } finally {
      j.run("delete", "-f", "pers");
    }
  }

  /**
   * An unknown capability name is ignored with a warning (config.md since runtime-spec 1.1; runc
   * and crun alike: crun's test suite, "unknown-caps"), and the known ones still apply.
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void unknownCapabilitiesAreIgnoredWithAWarning() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh("grep -E '^Cap(Prm|Eff|Bnd)' /proc/self/status | tr -d ' \\t'");
    ObjectNode caps = b.process().putObject("capabilities");
    for (String set : new String[] {"bounding", "effective", "permitted"}) {
      caps.putArray(set).add("CAP_UNKNOWN").add("CAP_KILL").add("UNKNOWN_CAP");
    }
    var r = j.run("run", "--bundle", b.write().toString(), "unknown-caps");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("""
        CapPrm:0000000000000020
        CapEff:0000000000000020
        CapBnd:0000000000000020
        """);
    assertThat(r.err()).contains("ignoring unknown or unavailable capabilities: [CAP_UNKNOWN, UNKNOWN_CAP]");
  }

  @Test
  void unsupportedFeaturesAreRefusedNotIgnored() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("true");
    b.linux().putObject("intelRdt").put("closID", "x");
    var r = j.run("create", "--bundle", b.write().toString(), "rdt");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("/linux/intelRdt").contains("not supported");
  }
}
