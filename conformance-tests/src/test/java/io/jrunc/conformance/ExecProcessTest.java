package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.testsupport.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an exec'd process is, seen from inside it: its process group and session, its cgroups. */
@RequiresRoot("runs containers with namespaces and cgroups")
class ExecProcessTest {
  @TempDir Path tmp;

  private Jrunc jrunc() {
    return new Jrunc(tmp.resolve("root"));
  }

  private static String id(String what) {
    return "exec-proc-" + what + "-" + ProcessHandle.current().pid();
  }

  /**
   * {@code exec -p} and {@code update -r} read a pipe named on the command line, as runc does
   * (runc's tty.bats runs {@code exec -p <(echo "$json")}); a device is still refused.
   */
  @Test
  void processAndResourcesMayComeThroughAPipe() throws Exception {
    Jrunc j = jrunc();
    String id = id("pipe");
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("sleep", "100");
    String cg = b.linux().get("cgroupsPath").asText();
    try {
      assertThat(j.run("run", "-d", "--bundle", b.write().toString(), id).exit()).isZero();
      var e = j.runInBash("exec -p <(echo '{\"args\":[\"echo\",\"from a pipe\"],\"cwd\":\"/\"}') " + id);
      assertThat(e.exit()).as(e.toString()).isZero();
      assertThat(e.out()).isEqualTo("from a pipe\n");
      var u = j.runInBash("update -r <(echo '{\"pids\":{\"limit\":77}}') " + id);
      assertThat(u.exit()).as(u.toString()).isZero();
      List<Path> withPids = new ArrayList<>();
      for (Path d : NotifyAgentTest.CliCgroupDirs.of(cg)) if (Files.exists(d.resolve("pids.max"))) withPids.add(d);
      assertThat(withPids).isNotEmpty();
      for (Path d : withPids) assertThat(Files.readString(d.resolve("pids.max")).trim()).isEqualTo("77");
      var dev = j.run("exec", "-p", "/dev/zero", id);
      assertThat(dev.exit()).isNotZero();
      assertThat(dev.err()).contains("exec --process: /dev/zero is a character device, not a regular file");
    } finally {
      j.run("delete", "--force", id);
    }
  }

  /**
   * An exec -p document without capabilities or rlimits gets the container's, as runc's exec
   * does (it ran with no capabilities at all); the ones it names are its own.
   */
  @Test
  void anExecDocumentInheritsWhatItLeavesUnset() throws Exception {
    Jrunc j = jrunc();
    String id = id("inherit");
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("sleep", "100");
    try {
      assertThat(j.run("run", "-d", "--bundle", b.write().toString(), id).exit()).isZero();
      String show = "grep -E '^CapEff' /proc/self/status; ulimit -n";
      var init = j.run("exec", id, "sh", "-c", show);
      assertThat(init.out()).as(init.toString()).contains("CapEff").doesNotContain("0000000000000000");
      var p = tmp.resolve("p.json");
      Files.writeString(p, "{\"args\":[\"sh\",\"-c\",\"" + show + "\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}}");
      var doc = j.run("exec", "-p", p.toString(), id);
      assertThat(doc.out()).as(doc.toString()).isEqualTo(init.out());
      Files.writeString(p, "{\"args\":[\"sh\",\"-c\",\"" + show + "\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},"
          + "\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"],\"permitted\":[\"CAP_KILL\"]},"
          + "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":100,\"soft\":99}]}");
      var own = j.run("exec", "-p", p.toString(), id);
      assertThat(own.out()).as(own.toString()).isEqualTo("CapEff:\t0000000000000020\n99\n");
    } finally {
      j.run("delete", "--force", id);
    }
  }

  /**
   * The process exec makes of the container's and its options is validated as config.json's
   * is: an --env entry that is not NAME=value, and a uid above 2^31-1 (4294967295 is
   * setresuid's "leave it": such an exec ran as root), are refused and nothing runs (runc
   * refuses both).
   */
  @Test
  void execOptionsAreValidatedAsTheConfigIs() throws Exception {
    Jrunc j = jrunc();
    String id = id("opts");
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("sleep", "100");
    try {
      assertThat(j.run("run", "-d", "--bundle", b.write().toString(), id).exit()).isZero();
      var env = j.run("exec", "--env", "NOEQUALS", id, "echo", "ran");
      assertThat(env.exit()).as(env.toString()).isNotZero();
      assertThat(env.out()).isEmpty();
      assertThat(env.err()).contains("/env/2: invalid environment variable").contains("NOEQUALS");
      var uid = j.run("exec", "-u", "4294967295:4294967295", id, "id");
      assertThat(uid.exit()).as(uid.toString()).isEqualTo(255); // runc's status for exec's own failures
      assertThat(j.run("exec", "-u", "nobody", id, "id").exit()).isEqualTo(255);
      var none = j.run("exec", id);
      assertThat(none.exit()).as(none.toString()).isEqualTo(255);
      assertThat(none.err()).contains("exec failed: exec args cannot be empty");
      assertThat(uid.out()).isEmpty();
      assertThat(uid.err()).contains("4294967295").contains("2147483647");
      var p = tmp.resolve("p.json");
      Files.writeString(p, "{\"args\":[\"id\"],\"cwd\":\"/\",\"user\":{\"uid\":4294967295,\"gid\":0}}");
      var doc = j.run("exec", "-p", p.toString(), id);
      assertThat(doc.exit()).as(doc.toString()).isNotZero();
      assertThat(doc.err()).contains("/user/uid: must be between 0 and 2147483647, got 4294967295");
      var max = j.run("exec", "-u", "2147483647:2147483647", id, "sh", "-c", "echo $(id -u) $(id -g)");
      assertThat(max.out()).as(max.toString()).isEqualTo("2147483647 2147483647\n");
    } finally {
      j.run("delete", "--force", id);
    }
  }

  /**
   * An exec whose fork into the container's pid namespace fails (pids.max reached) is an error
   * that says so, never a process reported as the fork's -errno (the pid file once said -11,
   * and a kill of it would have signalled process group 11).
   */
  @Test
  void anExecThatCannotForkFailsWithTheErrno() throws Exception {
    Jrunc j = jrunc();
    String id = id("nofork");
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("sleep", "100");
    b.linux().putObject("resources").putObject("pids").put("limit", 1);
    Path pidFile = tmp.resolve("exec.pid");
    try {
      assertThat(j.run("run", "-d", "--bundle", b.write().toString(), id).exit()).isZero();
      var e = j.run("exec", id, "true");
      assertThat(e.exit()).as(e.toString()).isEqualTo(255);
      assertThat(e.err()).contains("exec failed: ").contains("(EAGAIN)").doesNotContain("-11");
      var d = j.run("exec", "-d", "--pid-file", pidFile.toString(), id, "sleep", "5");
      assertThat(d.exit()).as(d.toString()).isEqualTo(255);
      assertThat(d.err()).contains("(EAGAIN)");
      assertThat(pidFile).doesNotExist();
      String init = Bundle.node(j.run("state", id).out()).get("pid").asText();
      assertThat(Bundle.node(j.run("ps", "--format", "json", id).out()).toString()).isEqualTo("[" + init + "]");
    } finally {
      j.run("delete", "--force", id);
    }
  }

  /**
   * {@code exec --ignore-paused} into a paused container (runc's cgroups.bats): the process joins
   * the frozen cgroup and runs once a resume from elsewhere thaws it. On v2 it was cloned into the
   * frozen cgroup, froze before it left the runtime (which waits for that) and held the lock the
   * resume needs: both hung.
   */
  @Test
  @org.junit.jupiter.api.Timeout(120)
  void anExecIntoAPausedContainerRunsOnceResumed() throws Exception {
    Jrunc j = jrunc();
    String id = id("paused");
    Path bundle = Bundle.busybox(tmp.resolve("b")).args("sleep", "100").write();
    try {
      assertThat(j.run("run", "-d", "--bundle", bundle.toString(), id).exit()).isZero();
      assertThat(j.run("pause", id).exit()).isZero();
      var resume = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          Thread.sleep(2000);
          return j.run("resume", id);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      var e = j.run("exec", "--ignore-paused", id, "echo", "ok");
      assertThat(e.exit()).as(e.toString()).isZero();
      assertThat(e.out()).isEqualTo("ok\n");
      assertThat(resume.get().exit()).as(resume.get().toString()).isZero();
      assertThat(Bundle.node(j.run("state", id).out()).get("status").asText()).isEqualTo("running");
    } finally {
      j.run("delete", "--force", id);
    }
  }

  @Test
  void anExecWithoutTerminalLeadsItsOwnProcessGroupAndSession() throws Exception {
    Jrunc j = jrunc();
    String id = id("pgrp");
    Path bundle = Bundle.busybox(tmp.resolve("b")).args("sleep", "100").write();
    try {
      assertThat(j.run("run", "-d", "--bundle", bundle.toString(), id).exit()).isZero();
      // /proc/self/stat: pid (comm) state ppid pgrp session ...; cat is the exec'd process itself
      var e = j.run("exec", id, "cat", "/proc/self/stat");
      assertThat(e.exit()).as(e.toString()).isZero();
      String[] f = e.out().split(" ");
      assertThat(f[4]).as("pgrp of " + e.out()).isEqualTo(f[0]);
      assertThat(f[5]).as("session of " + e.out()).isEqualTo(f[0]);
      // a shell's job control works: getpgrp() is its own pid, not 0
      var sh = j.run("exec", id, "sh", "-c", "ps -o pid,pgid | grep \"^ *$$ \"");
      String[] pidPgid = sh.out().trim().split("\\s+");
      assertThat(pidPgid).as(sh.toString()).hasSize(2);
      assertThat(pidPgid[1]).as(sh.toString()).isEqualTo(pidPgid[0]);
    } finally {
      j.run("delete", "--force", id);
    }
  }

  @Test
  void initLeadsItsOwnProcessGroupAndSession() throws Exception {
    Jrunc j = jrunc();
    Path bundle = Bundle.busybox(tmp.resolve("init")).args("cat", "/proc/self/stat").write();
    var r = j.run("run", "--bundle", bundle.toString(), id("init"));
    assertThat(r.exit()).as(r.toString()).isZero();
    String[] f = r.out().split(" ");
    assertThat(f[0]).isEqualTo("1");
    assertThat(f[4]).as("pgrp of " + r.out()).isEqualTo("1");
    assertThat(f[5]).as("session of " + r.out()).isEqualTo("1");
  }

  /**
   * Without --cgroup the process is in the container's cgroup in every hierarchy of the host
   * (v1 and hybrid: it wrote itself into each {@code tasks} file, and was cloned into the unified
   * one), from its first instruction on: the pid-namespace fork inherited them.
   */
  @Test
  void execRunsTheProcessInTheContainersCgroupInEveryHierarchy() throws Exception {
    Jrunc j = jrunc();
    String id = id("own");
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("sleep", "100");
    String cg = b.linux().get("cgroupsPath").asText();
    List<String> host = Files.readAllLines(Path.of("/proc/self/cgroup"));
    try {
      assertThat(j.run("run", "-d", "--bundle", b.write().toString(), id).exit()).isZero();
      var r = j.run("exec", id, "cat", "/proc/self/cgroup");
      assertThat(r.exit()).as(r.err()).isZero();
      List<String> seen = r.out().lines().toList();
      assertThat(seen).hasSameSizeAs(host).allSatisfy(l -> assertThat(l).endsWith(":" + cg));
    } finally {
      j.run("delete", "--force", id);
    }
  }

  @Test
  void execCgroupRunsTheProcessInExistingSubCgroupsWithRuncsChecks() throws Exception {
    Jrunc j = jrunc();
    String id = id("cg");
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("sleep", "100");
    String cg = b.linux().get("cgroupsPath").asText();
    boolean v2 = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
    try {
      assertThat(j.run("run", "-d", "--bundle", b.write().toString(), id).exit()).isZero();
      String init = Bundle.node(j.run("state", id).out()).get("pid").asText();

      var up = j.run("exec", "--cgroup", "..", id, "true");
      assertThat(up.exit()).isEqualTo(255);
      assertThat(up.err()).contains("exec failed: bad sub cgroup path: .. is not a sub cgroup path");
      var unknown = j.run("exec", "--cgroup", "whaaat:/", id, "true");
      assertThat(unknown.exit()).isEqualTo(255);
      assertThat(unknown.err()).contains("unknown controller whaaat");
      var twice = j.run("exec", "--cgroup", "a", "--cgroup", "b", id, "true");
      assertThat(twice.err()).contains("invalid --cgroup argument: a (missing <controller>: prefix)");
      // a sub-cgroup must exist: nothing is made, and nothing is left running
      var missing = j.run("exec", "--cgroup", "nonexistent", id, "true");
      assertThat(missing.exit()).isEqualTo(255);
      assertThat(missing.err()).contains("/nonexistent").contains("no such file or directory (ENOENT)");
      assertThat(Bundle.node(j.run("ps", "--format", "json", id).out()).toString()).isEqualTo("[" + init + "]");

      // "/" is the container's own cgroup
      List<String> top = lines(j.run("exec", "--cgroup", "/", id, "cat", "/proc/self/cgroup").out(), cg);
      assertThat(top).isNotEmpty().allMatch(l -> l.endsWith(":" + cg));

      // a path without controller: every hierarchy of the container
      List<Path> dirs = NotifyAgentTest.CliCgroupDirs.of(cg);
      for (Path d : dirs) {
        Files.createDirectory(d.resolve("sub"));
        // a new v1 cpuset has no cpus or mems: joining it is ENOSPC until they are set (a v2
        // child has these files only where its parent enables cpuset, and needs no values)
        for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
          if (!v2 && Files.exists(d.resolve(f))) Files.writeString(d.resolve("sub").resolve(f), Files.readString(d.resolve(f)));
        }
      }
      List<String> sub = lines(j.run("exec", "--cgroup", "sub", id, "cat", "/proc/self/cgroup").out(), cg);
      assertThat(sub).hasSameSizeAs(top).allMatch(l -> l.endsWith(":" + cg + "/sub"));

      if (!v2) {
        // per controller: only the hierarchies named move
        Path mem = Path.of("/sys/fs/cgroup/memory").resolve(cg.substring(1));
        Path pids = Path.of("/sys/fs/cgroup/pids").resolve(cg.substring(1));
        Files.createDirectory(mem.resolve("submem"));
        Files.createDirectory(pids.resolve("subpids"));
        var per = j.run("exec", "--cgroup", "memory:submem", "--cgroup", "pids:subpids", id, "cat", "/proc/self/cgroup");
        assertThat(per.exit()).as(per.toString()).isZero();
        List<String> l = lines(per.out(), cg);
        assertThat(l).anyMatch(x -> x.matches("\\d+:memory:" + cg + "/submem"))
            .anyMatch(x -> x.matches("\\d+:pids:" + cg + "/subpids"))
            .anyMatch(x -> x.matches("\\d+:[^:]*cpu[^:]*:" + cg));
        // a long-running one is found and killed with the container (delete removes the sub-cgroups)
        assertThat(j.run("exec", "-d", "--cgroup", "memory:submem", id, "sleep", "100").exit()).isZero();
        assertThat(Files.readString(mem.resolve("submem/cgroup.procs"))).isNotBlank();
      }
    } finally {
      j.run("delete", "--force", id);
    }
  }

  /** The lines of /proc/self/cgroup that name the container's cgroup or one below it. */
  private static List<String> lines(String procSelfCgroup, String cg) {
    List<String> out = new ArrayList<>();
    for (String l : procSelfCgroup.split("\n")) if (l.contains(":" + cg)) out.add(l);
    return out;
  }
}
