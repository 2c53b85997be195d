package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrunc.core.security.SeccompFeatures;
import io.jrunc.testsupport.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SCMP_ACT_NOTIFY through the CLI, with a seccomp agent of our own ({@link SeccompAgent}): the
 * listener of init and of every exec'd process reaches the agent, whatever calls the profile
 * NOTIFYs but {@code write}; an agent that cannot be reached fails in runc's words and leaves
 * nothing behind.
 */
@RequiresRoot("runs containers in cgroups of its own")
class NotifyAgentTest {
  @TempDir Path tmp;

  @BeforeEach
  void needsSeccomp() {
    assumeTrue(SeccompFeatures.enabled(), "needs libseccomp");
  }

  private Jrunc jrunc() {
    return new Jrunc(tmp.resolve("root"));
  }

  private static String id(String what) {
    return "exec-notify-" + what + "-" + ProcessHandle.current().pid();
  }

  /** A profile that allows everything and NOTIFYs {@code names}. */
  private static Bundle notify(Bundle b, Path agent, boolean noNewPrivileges, String... names) {
    b.process().put("noNewPrivileges", noNewPrivileges);
    ObjectNode s = b.linux().putObject("seccomp");
    s.put("defaultAction", "SCMP_ACT_ALLOW").put("listenerPath", agent.toString()).put("listenerMetadata", "m");
    ObjectNode rule = s.putArray("syscalls").addObject();
    for (String n : names) rule.withArray("names").add(n);
    rule.put("action", "SCMP_ACT_NOTIFY");
    return b;
  }

  private static int pid(Jrunc j, String id) throws Exception {
    return Bundle.node(j.run("state", id).out()).get("pid").asInt();
  }

  @Test
  void execHandsItsListenerToTheAgentWithTheContainersState() throws Exception {
    Jrunc j = jrunc();
    Path sock = tmp.resolve("agent.sock");
    String id = id("exec");
    Path bundle = notify(Bundle.busybox(tmp.resolve("b")).args("sleep", "100"), sock, true, "mkdir", "mkdirat").write();
    try (SeccompAgent agent = SeccompAgent.listen(sock)) {
      var run = j.run("run", "-d", "--bundle", bundle.toString(), id);
      assertThat(run.exit()).as(run.toString()).isZero();
      int init = pid(j, id);
      Path pidFile = tmp.resolve("exec.pid");
      var e = j.run("exec", "--pid-file", pidFile.toString(), id, "sh", "-c", "mkdir /tmp/x; echo rc=$?; ls -l /proc/$$/fd");
      assertThat(e.exit()).as(e.toString()).isZero();
      // the agent answered the exec'd process's mkdir (without the listener it is ENOSYS)
      assertThat(e.out() + e.err()).contains("Disk quota exceeded").contains("rc=1").doesNotContain("Function not implemented");
      // its listener copy was close-on-exec: the process holds no seccomp fd
      assertThat(e.out()).doesNotContain("seccomp");
      int execPid = Integer.parseInt(Files.readString(pidFile).trim());
      assertThat(agent.states).hasSize(2);
      JsonNode created = Bundle.node(agent.states.get(0)), exec = Bundle.node(agent.states.get(1));
      assertThat(created.get("pid").asInt()).isEqualTo(init);
      assertThat(created.get("state").get("status").asText()).isEqualTo("creating");
      assertThat(exec.get("pid").asInt()).isEqualTo(execPid);
      assertThat(exec.get("fds").toString()).isEqualTo("[\"seccompFd\"]");
      assertThat(exec.get("metadata").asText()).isEqualTo("m");
      assertThat(exec.get("state").get("status").asText()).isEqualTo("running");
      assertThat(exec.get("state").get("pid").asInt()).isEqualTo(init);
      assertThat(exec.get("state").get("id").asText()).isEqualTo(id);
    } finally {
      j.run("delete", "--force", id);
    }
  }

  @Test
  void closeSendmsgAndReadMayBeNotifiedTheRuntimeNeverWaitsOnThem() throws Exception {
    Jrunc j = jrunc();
    Path sock = tmp.resolve("agent.sock");
    String id = id("close");
    // without no_new_privs the filter is loaded before the user switch: most of the runtime's
    // own steps (and the exec-fifo read) run under it
    Path bundle = notify(Bundle.busybox(tmp.resolve("b"))
        .sh("exec 3</dev/null; exec 3<&-; exec sleep 100"), sock, false, "close", "sendmsg", "read").write();
    try (SeccompAgent agent = SeccompAgent.listen(sock)) {
      var run = j.run("run", "-d", "--bundle", bundle.toString(), id);
      assertThat(run.exit()).as(run.toString()).isZero();
      int init = pid(j, id);
      Path pidFile = tmp.resolve("exec.pid");
      var e = j.run("exec", "--pid-file", pidFile.toString(), id, "sh", "-c",
          "exec 3</dev/null; exec 3<&-; read x </dev/null; echo done");
      assertThat(e.exit()).as(e.toString()).isZero();
      assertThat(e.out()).isEqualTo("done\n");
      int execPid = Integer.parseInt(Files.readString(pidFile).trim());
      assertThat(agent.states).hasSize(2);
      // the container's processes' own calls reached the agent
      for (int i = 0; i < 100 && !agent.saw(init, Set.of(SeccompAgent.NR_CLOSE)); i++) Thread.sleep(20);
      assertThat(agent.saw(init, Set.of(SeccompAgent.NR_CLOSE))).as("init's close: " + agent.seen).isTrue();
      assertThat(agent.saw(execPid, Set.of(SeccompAgent.NR_CLOSE))).as("exec's close: " + agent.seen).isTrue();
      assertThat(agent.saw(execPid, Set.of(SeccompAgent.NR_READ))).as("exec's read: " + agent.seen).isTrue();
    } finally {
      j.run("delete", "--force", id);
    }
  }

  @Test
  void createWithoutAnAgentFailsInRuncsWordsAndLeavesNothing() throws Exception {
    Jrunc j = jrunc();
    String id = id("noagent");
    Bundle b = notify(Bundle.busybox(tmp.resolve("b")).args("true"), tmp.resolve("missing.sock"), true, "mkdir");
    String cg = b.linux().get("cgroupsPath").asText();
    var r = j.run("create", "--bundle", b.write().toString(), id);
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("failed to connect with seccomp agent specified in the seccomp profile: ")
        .contains(tmp.resolve("missing.sock").toString()).contains("no such file or directory (ENOENT)");
    assertThat(j.run("state", id).err()).contains("container does not exist");
    assertThat(Files.exists(tmp.resolve("root").resolve(id))).isFalse();
    // no cgroup left, so no process either (a cgroup with a process in it cannot be removed)
    assertThat(CliCgroupDirs.of(cg)).isEmpty();
  }

  @Test
  void execWithARefusingAgentFailsInRuncsWordsAndStartsNothing() throws Exception {
    Jrunc j = jrunc();
    Path sock = tmp.resolve("agent.sock");
    String id = id("refused");
    Path bundle = notify(Bundle.busybox(tmp.resolve("b")).args("sleep", "100"), sock, true, "mkdir").write();
    try (SeccompAgent agent = SeccompAgent.listen(sock)) {
      assertThat(j.run("run", "-d", "--bundle", bundle.toString(), id).exit()).isZero();
      int init = pid(j, id);
      agent.stopAccepting(); // the socket file stays: connect is refused
      var e = j.run("exec", id, "touch", "/dev/shm/ran");
      assertThat(e.exit()).as(e.toString()).isEqualTo(255);
      assertThat(e.err()).contains("exec failed: ")
          .contains("failed to connect with seccomp agent specified in the seccomp profile: ")
          .contains("connection refused (ECONNREFUSED)");
      // the process never ran, and nothing of it is left in the container
      assertThat(Files.exists(Path.of("/proc/" + init + "/root/dev/shm/ran"))).isFalse();
      JsonNode ps = Bundle.node(j.run("ps", "--format", "json", id).out());
      assertThat(ps.toString()).isEqualTo("[" + init + "]");
    } finally {
      j.run("delete", "--force", id);
    }
  }

  /** The container's cgroup directories that exist, on any hierarchy. */
  static final class CliCgroupDirs {
    static List<Path> of(String cgroupsPath) throws Exception {
      try (var s = Files.list(Path.of("/sys/fs/cgroup"))) {
        List<Path> roots = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))
            ? List.of(Path.of("/sys/fs/cgroup")) : s.filter(Files::isDirectory).toList();
        return roots.stream().map(r -> r.resolve(cgroupsPath.substring(1))).filter(Files::isDirectory).toList();
      }
    }
  }
}
