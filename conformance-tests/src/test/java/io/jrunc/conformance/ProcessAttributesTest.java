package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrunc.testsupport.RequiresRoot;
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
    p.putObject("execCPUAffinity").put("final", "0");
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
        Cpus_allowed_list:0
        256
        12345
        example.org
        123
        """);
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
