package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jrunc.testsupport.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as engines drive it: one fresh process per command, runc's flags, texts and exit codes. */
class CliLifecycleTest {
  @TempDir Path tmp;

  private Jrunc jrunc() {
    return new Jrunc(tmp.resolve("root"));
  }

  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void createStartStateKillDelete() throws Exception {
    Jrunc j = jrunc();
    Path bundle = Bundle.busybox(tmp.resolve("b")).args("sleep", "100").write();
    Path pidFile = tmp.resolve("pid");
    var r = j.run("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), "c1");
    assertThat(r.exit()).as(r.toString()).isZero();
    String pid = Files.readString(pidFile);
    assertThat(pid).matches("[0-9]+"); // decimal, no newline
    JsonNode st = Bundle.node(j.run("state", "c1").out());
    assertThat(st.get("status").asText()).isEqualTo("created");
    assertThat(st.get("pid").asText()).isEqualTo(pid);
    assertThat(st.get("bundle").asText()).isEqualTo(bundle.toString());
    assertThat(st.get("ociVersion").asText()).isEqualTo("1.3.0");
    assertThat(st.has("rootfs") && st.has("created") && st.has("owner")).isTrue();
    assertThat(j.run("start", "c1").exit()).isZero();
    assertThat(Bundle.node(j.run("state", "c1").out()).get("status").asText()).isEqualTo("running");
    // the container's init runs sleep now: its namespaces are not the host's
    for (String ns : List.of("mnt", "pid", "uts", "ipc", "net")) {
      assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + ns)))
          .isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/" + ns)));
    }
    JsonNode list = Bundle.node(j.run("list", "--format", "json").out());
    assertThat(list.get(0).get("id").asText()).isEqualTo("c1");
    assertThat(j.run("list", "-q").out()).isEqualTo("c1\n");
    var del = j.run("delete", "c1");
    assertThat(del.exit()).isEqualTo(1);
    assertThat(del.err()).contains("cannot delete container c1 that is not stopped: running");
    assertThat(j.run("kill", "c1", "SIGKILL").exit()).isZero();
    waitForStatus(j, "c1", "stopped");
    var kill = j.run("kill", "c1", "TERM");
    assertThat(kill.exit()).isEqualTo(1);
    assertThat(kill.err()).contains("container not running");
    assertThat(j.run("delete", "c1").exit()).isZero();
    var gone = j.run("state", "c1");
    assertThat(gone.exit()).isEqualTo(1);
    assertThat(gone.err()).contains("container does not exist");
    assertThat(j.run("delete", "--force", "c1").exit()).isZero();
  }

  /**
   * A process on a noexec mount fails create with runc's words, as engines create and start in
   * two calls (podman's "exec/noexec" system test expects the error and its exit 126 then): the
   * lookup at plan goes through the host's path, which has no noexec, and after start no caller
   * is left to hear execve's EACCES (init exited 1, and podman said nothing). The same file on
   * a mount without noexec runs.
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void anExecutableOnANoexecMountFailsCreate() throws Exception {
    Jrunc j = jrunc();
    Path vol = Files.createDirectory(tmp.resolve("vol"));
    Path script = Files.writeString(vol.resolve("script"), "#!/bin/sh\necho ran\n");
    Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String opt : List.of("noexec", "exec")) {
      Path bundle = Bundle.busybox(tmp.resolve("b-" + opt)).args("/vol/script").edit(c -> {
        var m = ((com.fasterxml.jackson.databind.node.ArrayNode) c.get("mounts")).addObject();
        m.put("destination", "/vol").put("type", "bind").put("source", vol.toString());
        m.putArray("options").add("rbind").add(opt);
      }).write();
      var r = j.run("create", "--bundle", bundle.toString(), "x-" + opt);
      if (opt.equals("noexec")) {
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("exec /vol/script: permission denied");
        assertThat(j.run("state", "x-" + opt).err()).contains("container does not exist");
      } else {
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(j.run("start", "x-" + opt).exit()).isZero();
        waitForStatus(j, "x-" + opt, "stopped");
        assertThat(j.run("delete", "x-" + opt).exit()).isZero();
      }
    }
    assertThat(j.run("list", "-q").out()).isEmpty();
  }

  /**
   * An execve that fails after a CLI start (a script without "#!", which access(2) passes: the
   * kernel's ENOEXEC; a seccomp rule's errno, one with a text and one without) is said on the
   * container's stderr as runc's init says it, "exec PATH: TEXT": the create that would have
   * read init's report is gone, and engines show the container's stderr (before, init exited 1
   * in silence).
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void anExecFailingAfterStartIsSaidOnTheContainersStderr() throws Exception {
    Jrunc j = jrunc();
    record Case(String name, String exe, Integer seccompErrno, String said) {}
    for (Case c : List.of(new Case("noexec", "/bin/noshebang", null, "exec /bin/noshebang: exec format error\n"),
        new Case("eperm", "/bin/true", 1, "exec /bin/true: operation not permitted\n"),
        new Case("e200", "/bin/true", 200, "exec /bin/true: unknown error\n"))) {
      Bundle b = Bundle.busybox(tmp.resolve("b-" + c.name())).args(c.exe());
      Path script = b.dir.resolve("rootfs/bin/noshebang");
      Files.writeString(script, "echo ran\n");
      Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
      if (c.seccompErrno() != null) {
        JsonNode seccomp = Bundle.node("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"execve\"],"
            + "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":" + c.seccompErrno() + "}]}");
        b.linux().set("seccomp", seccomp);
      }
      Path bundle = b.write();
      Path err = tmp.resolve("err-" + c.name());
      String id = "x-" + c.name();
      var r = j.runInBash("create --bundle " + bundle + " " + id + " 2>" + err);
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(Files.readString(err)).as(c.name()).isEmpty();
      assertThat(j.run("start", id).exit()).isZero();
      waitForStatus(j, id, "stopped");
      assertThat(Files.readString(err)).as(c.name()).isEqualTo(c.said());
      assertThat(j.run("delete", id).exit()).isZero();
    }
    assertThat(j.run("list", "-q").out()).isEmpty();
  }

  /**
   * run in the foreground of a process that cannot be executed (a script without {@code #!}):
   * init's line on the process's stderr is the only one, exit 1, the container removed (kept,
   * stopped, with --keep); detached, exit 0 and the container stopped, as runc run and as a CLI
   * create and start. Before: a second line of jrunc's own after init's, and exit 1 with -d.
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void runOfAProcessThatCannotBeExecutedSaysInitsLineAlone() throws Exception {
    Jrunc j = jrunc();
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("/bin/noshebang");
    Path script = b.dir.resolve("rootfs/bin/noshebang");
    Files.writeString(script, "echo ran\n");
    Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Path bundle = b.write();
    Path err = tmp.resolve("err");
    var r = j.runInBash("run --bundle " + bundle + " fg 2>" + err);
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(Files.readString(err)).isEqualTo("exec /bin/noshebang: exec format error\n");
    assertThat(j.run("list", "-q").out()).isEmpty();
    r = j.runInBash("run --keep --bundle " + bundle + " kept 2>" + err);
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(Files.readString(err)).isEqualTo("exec /bin/noshebang: exec format error\n");
    assertThat(j.run("state", "kept").out()).contains("\"status\": \"stopped\"");
    assertThat(j.run("delete", "kept").exit()).isZero();
    r = j.runInBash("run -d --bundle " + bundle + " detached 2>" + err);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(Files.readString(err)).isEqualTo("exec /bin/noshebang: exec format error\n");
    assertThat(j.run("state", "detached").out()).contains("\"status\": \"stopped\"");
    assertThat(j.run("delete", "detached").exit()).isZero();
  }

  /**
   * linux.devices in directories that come and go between them (/dev/net, /dev, /dev/net again,
   * a new /dev/a/b): init opens each parent once for the devices that follow in it, and every
   * node is made where it belongs, with its numbers, type, mode and owner, beside the defaults.
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void devicesInChangingDirectoriesAreEachMadeWhereTheyBelong() throws Exception {
    Jrunc j = jrunc();
    Path bundle = Bundle.busybox(tmp.resolve("b"))
        .sh("for f in /dev/net/tun /dev/fuse /dev/net/x /dev/null /dev/a/b/c; do stat -c '%n %t:%T %F %a %u:%g' $f; done")
        .edit(c -> {
          var devs = ((com.fasterxml.jackson.databind.node.ObjectNode) c.get("linux")).putArray("devices");
          devs.addObject().put("path", "/dev/net/tun").put("type", "c").put("major", 10).put("minor", 200).put("fileMode", 0600);
          devs.addObject().put("path", "/dev/fuse").put("type", "c").put("major", 10).put("minor", 229).put("uid", 1).put("gid", 2);
          devs.addObject().put("path", "/dev/net/x").put("type", "c").put("major", 1).put("minor", 3);
          devs.addObject().put("path", "/dev/a/b/c").put("type", "b").put("major", 7).put("minor", 0);
        }).write();
    var r = j.run("run", "--bundle", bundle.toString(), "devs");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("""
        /dev/net/tun a:c8 character special file 600 0:0
        /dev/fuse a:e5 character special file 666 1:2
        /dev/net/x 1:3 character special file 666 0:0
        /dev/null 1:3 character special file 666 0:0
        /dev/a/b/c 7:0 block special file 666 0:0
        """);
  }

  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void killTakesNumbersAndNamesWithOrWithoutSig() throws Exception {
    Jrunc j = jrunc();
    // a shell that traps signals and writes what it got (pid 1 ignores signals it has no handler for)
    Path bundle = Bundle.busybox(tmp.resolve("b"))
        .sh("trap 'echo USR1 >> /dev/shm/log' USR1; trap 'echo TERM; exit 0' TERM; while true; do sleep 0.1; done")
        .write();
    assertThat(j.run("run", "--detach", "--bundle", bundle.toString(), "k1").exit()).isZero();
    assertThat(j.run("kill", "k1", "10").exit()).isZero();
    assertThat(j.run("kill", "k1", "USR1").exit()).isZero();
    assertThat(j.run("kill", "k1", "SIGUSR1").exit()).isZero();
    assertThat(j.run("kill", "k1").exit()).isZero(); // SIGTERM by default
    waitForStatus(j, "k1", "stopped");
    assertThat(j.run("kill", "k1", "NOSUCHSIG").exit()).isEqualTo(1);
    assertThat(j.run("delete", "k1").exit()).isZero();
  }

  /** runc's kill rules: 0 checks, --all is no error once stopped, KILL reaches all without a pid namespace. */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void killZeroAllAndKillWithoutAPidNamespace() throws Exception {
    Jrunc j = jrunc();
    Path bundle = Bundle.busybox(tmp.resolve("k")).args("sleep", "100").write();
    assertThat(j.run("run", "-d", "--bundle", bundle.toString(), "k0").exit()).isZero();
    assertThat(j.run("kill", "k0", "0").exit()).isZero();
    assertThat(j.run("kill", "k0", "KILL").exit()).isZero();
    waitForStatus(j, "k0", "stopped");
    var r = j.run("kill", "k0", "0");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("container not running");
    assertThat(j.run("kill", "-a", "k0", "0").exit()).isZero();
    assertThat(j.run("delete", "k0").exit()).isZero();

    // host pid namespace: init killed behind our back, its siblings still run; KILL ends them all
    Path host = Bundle.busybox(tmp.resolve("h")).withoutNamespace("pid").args("sleep", "100").write();
    assertThat(j.run("run", "-d", "--bundle", host.toString(), "h0").exit()).isZero();
    for (int i = 0; i < 2; i++) assertThat(j.run("exec", "-d", "h0", "sleep", "101").exit()).isZero();
    int init = Bundle.node(j.run("state", "h0").out()).get("pid").asInt();
    List<Integer> others = new ArrayList<>();
    for (var line : j.run("ps", "--format", "json", "h0").out().replaceAll("[\\[\\]\\s]", "").split(",")) {
      if (!line.isEmpty() && Integer.parseInt(line) != init) others.add(Integer.parseInt(line));
    }
    assertThat(others).hasSize(2);
    ProcessHandle.of(init).ifPresent(ProcessHandle::destroyForcibly);
    waitForStatus(j, "h0", "stopped");
    assertThat(j.run("kill", "h0", "KILL").exit()).isZero();
    for (int pid : others) {
      for (int i = 0; i < 100 && Files.exists(Path.of("/proc/" + pid)); i++) Thread.sleep(20);
      assertThat(Path.of("/proc/" + pid)).as("pid " + pid).doesNotExist();
    }
    assertThat(j.run("delete", "h0").exit()).isZero();
  }

  /**
   * A process of another's in a container's cgroup (moved in by hand; two containers can no
   * longer be given one cgroupsPath: create refuses a non-empty cgroup, CliCgroupTest): deleting
   * the container, stopped or with --force, leaves it running, as runc signals a cgroup's
   * processes only for a container without a pid namespace of its own, and leaves the cgroup
   * to it with a warning naming it.
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void deletingAContainerLeavesAnotherProcessInItsCgroup() throws Exception {
    Jrunc j = jrunc();
    Path bundle = Bundle.busybox(tmp.resolve("s")).args("sleep", "100").write();
    String cgroup = Bundle.node(Files.readString(bundle.resolve("config.json"))).get("linux").get("cgroupsPath").asText();
    List<Path> dirs = new ArrayList<>();
    try (var ds = Files.newDirectoryStream(Path.of("/sys/fs/cgroup"), Files::isDirectory)) {
      ds.forEach(h -> dirs.add(h.resolve(cgroup.substring(1))));
    }
    dirs.add(Path.of("/sys/fs/cgroup").resolve(cgroup.substring(1)));
    try {
      for (String verb : List.of("delete", "delete --force")) {
        var r = j.run("run", "-d", "--bundle", bundle.toString(), "s1");
        assertThat(r.exit()).as(r.toString()).isZero();
        Process other = new ProcessBuilder("sleep", "100").start();
        try {
          for (Path d : dirs) {
            if (Files.exists(d.resolve("cgroup.procs"))) Files.writeString(d.resolve("cgroup.procs"), Long.toString(other.pid()));
          }
          if (verb.equals("delete")) {
            assertThat(j.run("kill", "s1", "KILL").exit()).isZero();
            waitForStatus(j, "s1", "stopped");
          }
          var del = verb.equals("delete") ? j.run("delete", "s1") : j.run("delete", "--force", "s1");
          assertThat(del.exit()).as(del.toString()).isZero();
          assertThat(del.err()).as(verb).contains("the cgroup of s1 is not removed: processes [" + other.pid());
          assertThat(j.run("state", "s1").exit()).isEqualTo(1);
          assertThat(other.isAlive()).as(verb).isTrue();
        } finally {
          other.destroyForcibly().waitFor(); // its cgroup is empty again: the next run may use it
        }
      }
    } finally {
      for (Path d : dirs) {
        if (Files.isDirectory(d)) Files.delete(d);
      }
    }
  }

  /**
   * A process whose execve fails once started (a script whose interpreter is missing: the lookup
   * at create finds the file): {@code run} says the exec's error once, init's line
   * ({@code exec /bad.sh: no such file or directory}), and exits 1, with nothing left; with
   * {@code -d} exit 0 and the container stopped. runc 1.1.5 on the same bundle: the same line,
   * exit 1 and 0, its detached container stopped.
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void runSaysWhyTheProcessCouldNotBeExecuted() throws Exception {
    Jrunc j = jrunc();
    Bundle b = Bundle.busybox(tmp.resolve("x")).args("/bad.sh");
    Path script = tmp.resolve("x/rootfs/bad.sh");
    Files.writeString(script, "#!/no/such/interpreter\necho never\n");
    Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    var r = j.run("run", "--bundle", b.write().toString(), "bad");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("exec /bad.sh: no such file or directory\n");
    assertThat(r.out()).doesNotContain("never");
    assertThat(j.run("state", "bad").exit()).isEqualTo(1);
    var d = j.run("run", "-d", "--bundle", b.write().toString(), "bad2");
    assertThat(d.exit()).as(d.toString()).isZero();
    assertThat(d.err()).isEqualTo("exec /bad.sh: no such file or directory\n");
    assertThat(j.run("state", "bad2").out()).contains("\"status\": \"stopped\"");
    assertThat(j.run("delete", "bad2").exit()).isZero();
    assertThat(j.run("list", "-q").out()).isEmpty();
  }

  /**
   * A created container's init ends on SIGTERM (runc's does; as pid 1 of its namespace it would
   * otherwise get only SIGKILL), and a started process keeps none of those handlers.
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void aCreatedContainerEndsOnTermAndItsProcessCatchesNothing() throws Exception {
    Jrunc j = jrunc();
    Path bundle = Bundle.busybox(tmp.resolve("t")).args("sleep", "100").write();
    assertThat(j.run("create", "--bundle", bundle.toString(), "t1").exit()).isZero();
    assertThat(j.run("kill", "t1", "TERM").exit()).isZero();
    waitForStatus(j, "t1", "stopped");
    assertThat(j.run("delete", "t1").exit()).isZero();

    assertThat(j.run("create", "--bundle", bundle.toString(), "t2").exit()).isZero();
    assertThat(j.run("start", "t2").exit()).isZero();
    int pid = Bundle.node(j.run("state", "t2").out()).get("pid").asInt();
    String status = Files.readString(Path.of("/proc/" + pid + "/status"));
    assertThat(status).contains("\nSigCgt:\t0000000000000000\n");
    assertThat(j.run("delete", "--force", "t2").exit()).isZero();
  }

  /** A step's error names a long list by its size and first items, not all of it (70000 gids made a 479 KB message). */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void aFailedStepNamesALongListBriefly() throws Exception {
    Jrunc j = jrunc();
    Bundle b = Bundle.busybox(tmp.resolve("g")).args("true");
    var gids = b.process().with("user").putArray("additionalGids");
    for (int i = 0; i < 70000; i++) gids.add(i); // over the kernel's NGROUPS_MAX (65536)
    var r = j.run("run", "--bundle", b.write().toString(), "groups");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("set additional groups 70000 of them, [0, 1, 2, 3, 4, 5, 6, 7]...: invalid argument (EINVAL)");
    assertThat(r.err().length()).isLessThan(1000);
    assertThat(j.run("state", "groups").exit()).isEqualTo(1);
  }

  /** A memory limit too small for init's own setup is named in create's error, and nothing is left. */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void aMemoryLimitTooSmallForTheSetupIsNamed() throws Exception {
    Jrunc j = jrunc();
    Bundle b = Bundle.busybox(tmp.resolve("m")).args("true");
    b.linux().putObject("resources").putObject("memory").put("limit", 65536);
    var r = j.run("create", "--bundle", b.write().toString(), "tiny");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("the container's init exited during setup (signal: killed)",
        "the OOM killer killed it in the container's cgroup (linux.resources.memory.limit 65536 bytes is too small)");
    assertThat(j.run("state", "tiny").exit()).isEqualTo(1);
  }

  /** HOME as runc sets it: from /etc/passwd when missing or empty; a name given twice keeps its last value. */
  @RequiresRoot("runs containers with namespaces and cgroups")
  /**
   * The container's processes start with every signal at its default disposition, even when
   * jrunc itself was started with some ignored (they survive exec): init and an exec'd process
   * show no ignored signal. (The program resets only those the runtime ignores, as the execve
   * that left the JVM reset the handled ones.)
   */
  @Test
  void signalsTheRuntimeIgnoresAreNotIgnoredInTheContainer() throws Exception {
    String[] ignored = {"HUP", "INT", "USR1", "TERM", "ALRM"};
    // the premise: what the shell ignores reaches the program it execs
    Process host = new ProcessBuilder("sh", "-c", "trap '' " + String.join(" ", ignored) + " && exec grep SigIgn /proc/self/status")
        .redirectErrorStream(true).start();
    String hostLine = new String(host.getInputStream().readAllBytes()).strip();
    assertThat(host.waitFor()).isZero();
    assertThat(hostLine).startsWith("SigIgn:").isNotEqualTo("SigIgn:\t0000000000000000");
    Jrunc j = jrunc().ignoring(ignored);
    Path bundle = Bundle.busybox(tmp.resolve("s")).sh("grep SigIgn /proc/self/status; exec sleep 100").write();
    var r = j.run("create", "--bundle", bundle.toString(), "sig1");
    assertThat(r.exit()).as(r.toString()).isZero();
    try {
      r = j.run("exec", "sig1", "grep", "SigIgn", "/proc/self/status");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).isEqualTo("SigIgn:\t0000000000000000\n");
    } finally {
      // also when the check fails: a created init left waiting outlives the test's directories
      assertThat(j.run("delete", "--force", "sig1").exit()).isZero();
    }
    r = j.run("run", "--bundle", Bundle.busybox(tmp.resolve("s2")).args("grep", "SigIgn", "/proc/self/status").write().toString(), "sig2");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("SigIgn:\t0000000000000000\n");
  }

  @Test
  void homeAndDuplicateVariables() throws Exception {
    Jrunc j = jrunc();
    Bundle b = Bundle.busybox(tmp.resolve("e")).sh("echo \"$HOME|$ONE\"; env | grep -c ^ONE=");
    b.process().withArray("env").add("ONE=two").add("HOME=/override").add("ONE=three").add("HOME=");
    var r = j.run("run", "--bundle", b.write().toString(), "e1");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("/root|three\n1\n");
    b.process().put("user", (com.fasterxml.jackson.databind.JsonNode) Bundle.node("{\"uid\": 65534, \"gid\": 65534}"));
    r = j.run("run", "--bundle", b.write().toString(), "e2");
    assertThat(r.out()).isEqualTo("/|three\n1\n"); // nobody's entry says /
  }

  /**
   * In a new user namespace a bind source under a directory only host root may enter (0700)
   * is still mounted: the runtime clones it before the child enters the namespace (runc too).
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void aBindSourceOnlyRootCanReachIsMountedInAUserNamespace() throws Exception {
    Jrunc j = jrunc();
    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    Path secret = Files.createDirectories(tmp.resolve("secret/d"));
    Files.writeString(secret.resolve("f"), "reached\n");
    Files.setPosixFilePermissions(secret.getParent(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Bundle b = Bundle.busybox(tmp.resolve("u")).args("cat", "/mnt/f").addNamespace("user", null);
    b.linux().putArray("uidMappings").addObject().put("containerID", 0).put("hostID", 100000).put("size", 65536);
    b.linux().putArray("gidMappings").addObject().put("containerID", 0).put("hostID", 100000).put("size", 65536);
    Files.createDirectories(b.dir.resolve("rootfs/mnt")); // the container's root may not create it: root owns the rootfs
    b.config.withArray("mounts").addObject().put("destination", "/mnt").put("source", secret.toString())
        .putArray("options").add("bind");
    var r = j.run("run", "--bundle", b.write().toString(), "u1");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("reached\n");
  }

  /**
   * In a new user namespace the container's IPC namespace, and so its /dev/mqueue, belongs to
   * root in it: made with the user namespace in one clone, before the id maps were written, the
   * mqueue filesystem belonged to the overflow ids and the container's root could not chmod it.
   * An exec joins that namespace.
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void aUserNamespacesMqueueBelongsToItsRoot() throws Exception {
    Jrunc j = jrunc();
    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x")); // for uid 100000
    Bundle b = Bundle.busybox(tmp.resolve("mq")).sh("stat -c '%u:%g' /dev/mqueue; chmod 1770 /dev/mqueue && echo chmod-ok; sleep 100")
        .inUserNamespace(100000);
    Path out = tmp.resolve("mq.out");
    var r = j.runInBashRaw("\"$0\" --root \"$1\" run -d --bundle " + b.write() + " mq > " + out + " 2>&1");
    try {
      assertThat(r.exit()).as(r + Files.readString(out)).isZero();
      for (int i = 0; i < 100 && !Files.readString(out).contains("chmod"); i++) Thread.sleep(20);
      assertThat(Files.readString(out)).startsWith("0:0\nchmod-ok\n");
      String initIpc = Files.readSymbolicLink(Path.of("/proc/" + Bundle.node(j.run("state", "mq").out()).get("pid").asInt() + "/ns/ipc")).toString();
      assertThat(initIpc).isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString());
      var e = j.run("exec", "mq", "readlink", "/proc/self/ns/ipc");
      assertThat(e.out()).as(e.toString()).isEqualTo(initIpc + "\n");
    } finally {
      j.run("delete", "--force", "mq");
    }
  }

  /**
   * runc's bats "userns without root mapping": only container id 1000 is mapped (to the owner
   * of the rootfs), and the process runs as 1000. init cannot become root there; it makes the
   * container's files (/dev/pts in the /dev tmpfs) with the mapped ids instead of failing with
   * EOVERFLOW. An exec runs as 1000 too.
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void aUserNamespaceWithoutRootMappedRunsAsItsMappedUser() throws Exception {
    Jrunc j = jrunc();
    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x")); // for uid 100000
    Bundle b = Bundle.busybox(tmp.resolve("nr")).sh("id -u; id -g; cat /proc/self/uid_map; sleep 100").inUserNamespace(100000);
    for (String m : new String[] {"uidMappings", "gidMappings"}) {
      b.linux().putArray(m).addObject().put("containerID", 1000).put("hostID", 100000).put("size", 1);
    }
    b.process().putObject("user").put("uid", 1000).put("gid", 1000);
    for (var m : b.config.get("mounts")) {
      if (m.get("destination").asText().equals("/dev/pts")) {
        var opts = (com.fasterxml.jackson.databind.node.ArrayNode) m.get("options");
        for (int i = opts.size() - 1; i >= 0; i--) if (opts.get(i).asText().equals("gid=5")) opts.remove(i);
      }
    }
    Path out = tmp.resolve("nr.out");
    var r = j.runInBashRaw("\"$0\" --root \"$1\" run -d --bundle " + b.write() + " nr > " + out + " 2>&1");
    try {
      assertThat(r.exit()).as(r + Files.readString(out)).isZero();
      for (int i = 0; i < 100 && Files.readString(out).split("\n").length < 3; i++) Thread.sleep(20);
      assertThat(Files.readString(out)).matches("1000\n1000\n +1000 +100000 +1\n");
      var e = j.run("exec", "nr", "sh", "-c", "id -u; id -g");
      assertThat(e.out()).as(e.toString()).isEqualTo("1000\n1000\n");
    } finally {
      j.run("delete", "--force", "nr");
    }
  }

  /**
   * The cwd as runc sets it up: a 0700 directory of root's is entered while still root, so a
   * uid 42 process starts there; a missing one is made, even under a read-only root.
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void cwdIsEnteredAsRootAndMadeIfMissing() throws Exception {
    Jrunc j = jrunc();
    Bundle b = Bundle.busybox(tmp.resolve("c")).sh("pwd; id -u");
    Path root = Files.createDirectories(b.dir.resolve("rootfs/root"));
    Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    b.process().put("cwd", "/root").putObject("user").put("uid", 42).put("gid", 42);
    var r = j.run("run", "--bundle", b.write().toString(), "c1");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("/root\n42\n");
    b.process().put("cwd", "/made/here");
    ((com.fasterxml.jackson.databind.node.ObjectNode) b.config.get("root")).put("readonly", true);
    r = j.run("run", "--bundle", b.write().toString(), "c2");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("/made/here\n42\n");
  }

  /** exec -p with a process that has no "user" runs as uid 0 (runc's default). */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void execProcessFileWithoutUserRunsAsRoot() throws Exception {
    Jrunc j = jrunc();
    Path bundle = Bundle.busybox(tmp.resolve("x")).args("sleep", "100").write();
    assertThat(j.run("run", "-d", "--bundle", bundle.toString(), "x1").exit()).isZero();
    try {
      Path process = tmp.resolve("process.json");
      Files.writeString(process, "{\"args\": [\"id\", \"-u\"], \"cwd\": \"/\", \"env\": [\"PATH=/bin\"]}");
      var r = j.run("exec", "-p", process.toString(), "x1");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).isEqualTo("0\n");
    } finally {
      j.run("delete", "-f", "x1");
    }
  }

  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void runReturnsTheProcessStatusOr128PlusSignal() throws Exception {
    Jrunc j = jrunc();
    Path b1 = Bundle.busybox(tmp.resolve("b1")).sh("exit 42").write();
    assertThat(j.run("run", "--bundle", b1.toString(), "r1").exit()).isEqualTo(42);
    // without a pid namespace (pid 1 of one cannot signal itself to death)
    Path b2 = Bundle.busybox(tmp.resolve("b2")).withoutNamespace("pid").sh("kill -KILL $$").write();
    assertThat(j.run("run", "--bundle", b2.toString(), "r2").exit()).isEqualTo(137);
    Path b3 = Bundle.busybox(tmp.resolve("b3")).sh("echo out; echo err >&2").write();
    var r = j.run("run", "--bundle", b3.toString(), "r3");
    assertThat(r.out()).isEqualTo("out\n");
    assertThat(r.err()).isEqualTo("err\n"); // stdio inherited exactly, nothing of ours mixed in
    assertThat(j.run("list", "-q").out()).isEmpty(); // run deletes unless --keep
    assertThat(j.run("run", "--keep", "--bundle", b1.toString(), "r4").exit()).isEqualTo(42);
    assertThat(Bundle.node(j.run("state", "r4").out()).get("status").asText()).isEqualTo("stopped");
    assertThat(j.run("delete", "r4").exit()).isZero();
  }

  @Test
  void errorsNameWhatWentWrong() throws Exception {
    Jrunc j = jrunc();
    Path b = Bundle.busybox(tmp.resolve("b")).args("no-such-binary").write();
    var r = j.run("create", "--bundle", b.toString(), "e1");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("exec: \\\"no-such-binary\\\": executable file not found in $PATH");
    var missing = j.run("create", "--bundle", tmp.resolve("nowhere").toString(), "e2");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("config.json").contains("no such file or directory");
    Path bad = Bundle.busybox(tmp.resolve("bad")).edit(c -> ((com.fasterxml.jackson.databind.node.ObjectNode) c.get("process"))
        .put("cwd", "relative")).write();
    var invalid = j.run("create", "--bundle", bad.toString(), "e3");
    assertThat(invalid.exit()).isEqualTo(1);
    assertThat(invalid.err()).contains("/process/cwd");
    assertThat(j.run("list", "-q").out()).isEmpty(); // nothing half-made left
  }

  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void twentyParallelCreatesOfOneIdExactlyOneWins() throws Exception {
    Jrunc j = jrunc();
    Path bundle = Bundle.busybox(tmp.resolve("b")).args("sleep", "100").write();
    ExecutorService pool = Executors.newFixedThreadPool(20);
    List<Future<Jrunc.Result>> results = new ArrayList<>();
    for (int i = 0; i < 20; i++) results.add(pool.submit(() -> j.run("create", "--bundle", bundle.toString(), "same")));
    int ok = 0;
    int exists = 0;
    for (Future<Jrunc.Result> f : results) {
      Jrunc.Result r = f.get();
      if (r.exit() == 0) ok++;
      else if (r.err().contains("container with given ID already exists")) exists++;
    }
    pool.shutdown();
    assertThat(ok).isEqualTo(1);
    assertThat(exists).isEqualTo(19);
    assertThat(j.run("delete", "--force", "same").exit()).isZero();
    assertThat(j.run("list", "-q").out()).isEmpty();
  }

  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void killMinusNineOfCreateLeavesNothingDeleteForceCannotClean() throws Exception {
    Jrunc j = jrunc();
    Path bundle = Bundle.busybox(tmp.resolve("b")).args("sleep", "1009").write();
    String hostMounts = Files.readString(Path.of("/proc/self/mountinfo"));
    java.util.Random rnd = new java.util.Random(42);
    for (int i = 0; i < 8; i++) {
      String id = "crash" + i;
      ProcessBuilder pb = new ProcessBuilder(Jrunc.LAUNCHER.toString(), "--root", j.root().toString(), "create",
          "--bundle", bundle.toString(), id);
      pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      Process p = pb.start();
      Thread.sleep(rnd.nextInt(400));
      // kill -9 the launcher's JVM (exec'd by the launcher: same pid)
      p.destroyForcibly();
      p.waitFor();
      assertThat(j.run("delete", "--force", id).exit()).as("delete --force " + id).isZero();
      assertThat(Files.exists(j.root().resolve(id))).isFalse();
    }
    // no container process is left: nothing runs our bundle's sleep (a duration no other test uses)
    Thread.sleep(200);
    var ps = new ProcessBuilder("sh", "-c", "ps -eo args | grep -c '^sleep 1009$' || true").start();
    assertThat(new String(ps.getInputStream().readAllBytes()).trim()).isEqualTo("0");
    assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).isEqualTo(hostMounts);
  }

  /**
   * start of a created container whose init was killed: runc's words and exit 1 (start writes
   * the exec fifo through NIO now, where an O_NONBLOCK open's ENXIO told a dead init before),
   * and delete without hooks still removes it and its cgroup.
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void startOfAContainerWhoseInitDiedFailsAsRuncDoes() throws Exception {
    Jrunc j = jrunc();
    Path bundle = Bundle.busybox(tmp.resolve("b")).args("sleep", "100").write();
    assertThat(j.run("create", "--bundle", bundle.toString(), "dead").exit()).isZero();
    assertThat(j.run("kill", "dead", "KILL").exit()).isZero();
    waitForStatus(j, "dead", "stopped");
    var start = j.run("start", "dead");
    assertThat(start.exit()).as(start.toString()).isEqualTo(1);
    assertThat(start.err()).contains("cannot start a container that has stopped");
    assertThat(j.run("delete", "dead").exit()).isZero();
    assertThat(j.run("state", "dead").err()).contains("container does not exist");
  }

  /**
   * delete --force of a running container whose init is not alone in its cgroup (no pid
   * namespace: init's death kills nothing else; two exec'd processes beside it), and of a paused
   * one: when delete returns, every directory of its cgroup (the leaf and the parent jrunc made,
   * in every hierarchy) and its state are gone, which the kernel allows only once no process is
   * left in it; the processes are then gone too.
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void deleteForceKillsEveryProcessOfTheCgroupAndRemovesItAll() throws Exception {
    Jrunc j = jrunc();
    for (String mode : List.of("running", "paused")) {
      String id = "df-" + mode;
      Bundle b = Bundle.busybox(tmp.resolve(id)).withoutNamespace("pid").args("sleep", "100");
      String parent = b.linux().get("cgroupsPath").asText(); // made by jrunc: removed with the leaf
      String leaf = parent + "/" + id;
      b.linux().put("cgroupsPath", leaf);
      assertThat(j.run("run", "-d", "--bundle", b.write().toString(), id).exit()).isZero();
      for (int i = 0; i < 2; i++) assertThat(j.run("exec", "-d", id, "sleep", "101").exit()).isZero();
      List<Integer> pids = new ArrayList<>();
      for (var p : j.run("ps", "--format", "json", id).out().replaceAll("[\\[\\]\\s]", "").split(",")) {
        if (!p.isEmpty()) pids.add(Integer.parseInt(p));
      }
      assertThat(pids).hasSize(3);
      List<Path> dirs = new ArrayList<>();
      for (Path h : cgroupHierarchies()) {
        if (Files.isDirectory(h.resolve(leaf.substring(1)))) dirs.add(h.resolve(leaf.substring(1)));
      }
      assertThat(dirs).isNotEmpty();
      if (mode.equals("paused")) {
        assertThat(j.run("pause", id).exit()).isZero();
        assertThat(Bundle.node(j.run("state", id).out()).get("status").asText()).isEqualTo("paused");
      }
      var del = j.run("delete", "--force", id);
      assertThat(del.exit()).as(del.toString()).isZero();
      for (Path d : dirs) {
        assertThat(d).as(mode + ": the leaf").doesNotExist();
        assertThat(d.getParent()).as(mode + ": the parent jrunc made").doesNotExist();
      }
      assertThat(tmp.resolve("root").resolve(id)).as(mode + ": the state").doesNotExist();
      assertThat(j.run("state", id).err()).contains("container does not exist");
      for (int pid : pids) {
        // out of the cgroup already (its rmdir worked); reaped by their parents a moment later
        for (int i = 0; i < 100 && Files.exists(Path.of("/proc/" + pid)); i++) Thread.sleep(20);
        assertThat(Path.of("/proc/" + pid)).as(mode + ": pid " + pid).doesNotExist();
      }
    }
  }

  /**
   * A created container can be paused (runc allows it too); it is then "paused", as runc says,
   * not "created": start refuses it with runc's words, resume thaws it, and delete --force of a
   * paused created container thaws and kills its init at once. (It read as created: resume refused it, and delete --force waited 20 s
   * for a frozen init to die, then left the init and its cgroup.)
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void aPausedCreatedContainerIsPausedResumesAndDeletes() throws Exception {
    Jrunc j = jrunc();
    String bundle = Bundle.busybox(tmp.resolve("pc")).args("sleep", "100").write().toString();
    assertThat(j.run("create", "--bundle", bundle, "pc").exit()).isZero();
    assertThat(j.run("pause", "pc").exit()).isZero();
    assertThat(Bundle.node(j.run("state", "pc").out()).get("status").asText()).isEqualTo("paused");
    var start = j.run("start", "pc");
    assertThat(start.exit()).as(start.toString()).isEqualTo(1);
    assertThat(start.err()).contains("cannot start a container in the paused state");
    var resume = j.run("resume", "pc");
    assertThat(resume.exit()).as(resume.toString()).isZero();
    assertThat(Bundle.node(j.run("state", "pc").out()).get("status").asText()).isEqualTo("created");
    assertThat(j.run("pause", "pc").exit()).isZero();
    int init = Bundle.node(j.run("state", "pc").out()).get("pid").asInt();
    var del = j.run("delete", "--force", "pc");
    assertThat(del.exit()).as(del.toString()).isZero();
    assertThat(del.err()).as(del.toString()).isEmpty(); // no "not removed" warning
    for (int i = 0; i < 100 && Files.exists(Path.of("/proc/" + init)); i++) Thread.sleep(20);
    assertThat(Path.of("/proc/" + init)).doesNotExist();
    assertThat(j.run("list", "-q").out()).isEmpty();
  }

  /**
   * SIGKILL ends a paused container, with and without --all: a v1 freezer keeps the signal
   * pending until the cgroup is thawed, which kill then does (runc too); it stayed frozen and
   * "paused", and delete without --force refused it.
   */
  @Test
  void killOfAPausedContainerEndsIt() throws Exception {
    Jrunc j = jrunc();
    String bundle = Bundle.busybox(tmp.resolve("kp")).args("sleep", "100").write().toString();
    for (boolean all : new boolean[] {false, true}) {
      String id = all ? "kp-all" : "kp";
      assertThat(j.run("run", "-d", "--bundle", bundle, id).exit()).isZero();
      assertThat(j.run("pause", id).exit()).isZero();
      var kill = all ? j.run("kill", "--all", id, "KILL") : j.run("kill", id, "KILL");
      assertThat(kill.exit()).as(kill.toString()).isZero();
      waitForStatus(j, id, "stopped");
      var del = j.run("delete", id);
      assertThat(del.exit()).as(del.toString()).isZero();
    }
    assertThat(j.run("list", "-q").out()).isEmpty();
  }

  /** The cgroup hierarchies: /sys/fs/cgroup itself on v2, each mounted one on v1 and hybrid. */
  private static List<Path> cgroupHierarchies() throws Exception {
    Path root = Path.of("/sys/fs/cgroup");
    if (Files.exists(root.resolve("cgroup.controllers"))) return List.of(root);
    List<Path> out = new ArrayList<>();
    try (var ds = Files.newDirectoryStream(root)) {
      for (Path p : ds) if (Files.isDirectory(p) && !Files.isSymbolicLink(p)) out.add(p);
    }
    return out;
  }

  static void waitForStatus(Jrunc j, String id, String status) throws Exception {
    for (int i = 0; i < 100; i++) {
      var r = j.run("state", id);
      if (r.exit() == 0 && Bundle.node(r.out()).get("status").asText().equals(status)) return;
      Thread.sleep(50);
    }
    throw new AssertionError(id + " never reached " + status);
  }
}
