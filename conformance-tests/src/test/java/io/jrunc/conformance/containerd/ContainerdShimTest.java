package io.jrunc.conformance.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrunc.conformance.Jrunc;
import io.jrunc.testsupport.RequiresRoot;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shim contract under a real containerd, the way engines and Kubernetes use it: each
 * scenario runs through {@code ctr} against every {@link ShimRuntime} (runc's shim with runc,
 * runc's shim with jrunc as its runc binary, jrunc's own shim), and is judged from inside the
 * container, from containerd's events and from the host (cgroups, mounts, processes, state).
 * A runtime that is not built or installed here is skipped with the reason.
 *
 * <p>One private containerd serves the class ({@link PrivateContainerd}); containers are named
 * {@code shimtest-SCENARIO-KEY} and put in cgroups under {@code /shimtest-PID}, which is
 * removed afterwards in every hierarchy.
 */
@RequiresRoot("runs a private containerd whose shims make containers, cgroups and mounts")
class ContainerdShimTest {
  private static final String CGROUP_PARENT = "/shimtest-" + ProcessHandle.current().pid();
  private static final Duration EVENT_WAIT = Duration.ofSeconds(20);
  private static PrivateContainerd ctrd;

  @BeforeAll
  static void startContainerd() throws Exception {
    String missing = PrivateContainerd.missingTools();
    assumeTrue(missing == null, () -> "containerd tests skipped: " + missing);
    ctrd = PrivateContainerd.start(Jrunc.REPO.resolve("bin"));
  }

  @AfterAll
  static void stopContainerd() throws Exception {
    try {
      TestCgroups.killTree(CGROUP_PARENT); // a failed test's container: it holds its cgroup and mounts
      if (ctrd != null) ctrd.close();
    } finally {
      List<Path> left = TestCgroups.removeTree(CGROUP_PARENT);
      assertThat(left).as("cgroups left under " + CGROUP_PARENT + " (removed now)").isEmpty();
    }
  }

  // ---- run --rm: exit codes, stdout and stderr, stdin, terminal ----------------------------

  @ParameterizedTest
  @EnumSource(ShimRuntime.class)
  void runRmGivesStdoutStderrAndExitCodes(ShimRuntime rt) throws Exception {
    use(rt);
    String id = id("exit", rt);
    Exec.Result ok = run(rt, id, List.of("--rm"), "sh", "-c", "echo to-out; echo to-err >&2");
    assertThat(ok.exit()).as(ok.toString()).isZero();
    assertThat(ok.out()).isEqualTo("to-out\n");
    assertThat(ok.err()).isEqualTo("to-err\n");
    ctrd.awaitEvent("/tasks/exit", id, EVENT_WAIT, "\"id\":\"" + id + "\""); // status 0: a default, not in the JSON
    assertNoLeftovers(rt, id, -1);

    String id3 = id("exit3", rt);
    Exec.Result three = run(rt, id3, List.of("--rm"), "sh", "-c", "exit 3");
    assertThat(three.exit()).as(three.toString()).isEqualTo(3);
    ctrd.awaitEvent("/tasks/exit", id3, EVENT_WAIT, "\"exit_status\":3");

    // killed by a signal from outside: SIGKILL reaches even a pid-namespace init; 128 + 9
    String idk = id("killed", rt);
    Exec.Started running = ctrd.ctrStart(Path.of("/dev/null"), runCommand(rt, idk, List.of("--rm"), "sleep", "1000"));
    awaitStatus(idk, "RUNNING");
    Exec.Result kill = ctrd.ctr("task", "kill", "-s", "SIGKILL", idk);
    assertThat(kill.exit()).as(kill.toString()).isZero();
    Exec.Result killed = running.await(60);
    assertThat(killed.exit()).as(killed.toString()).isEqualTo(137);
    ctrd.awaitEvent("/tasks/exit", idk, EVENT_WAIT, "\"exit_status\":137");
    assertNoLeftovers(rt, idk, -1);
  }

  /**
   * A task whose process the kernel will not exec (a script without {@code #!}): as with runc
   * under runc's shim, the task starts, init's {@code exec ...: exec format error} is on the
   * task's stderr, and it exits 1; jrunc's shim failed Start before, with no TaskStart.
   */
  @ParameterizedTest
  @EnumSource(ShimRuntime.class)
  void aProcessThatCannotBeExecutedStartsAndExitsOneSayingWhy(ShimRuntime rt) throws Exception {
    use(rt);
    String id = id("noexec", rt);
    Exec.Result r = run(rt, id, List.of("--rm"), "/bin/noshebang");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).as(r.toString()).contains("exec /bin/noshebang: exec format error").doesNotContain("failed to start");
    ctrd.awaitEvent("/tasks/start", id, EVENT_WAIT);
    ctrd.awaitEvent("/tasks/exit", id, EVENT_WAIT, "\"exit_status\":1");
    assertNoLeftovers(rt, id, -1);
  }

  @ParameterizedTest
  @EnumSource(ShimRuntime.class)
  void stdinReachesTheContainerAndItsEndClosesIt(ShimRuntime rt) throws Exception {
    use(rt);
    String id = id("stdin", rt);
    // ctr closes the task's stdin (CloseIO) when its own stdin ends, but only once the task
    // exists: the input is written after the task runs, so the end is seen as CloseIO
    Exec.Started ctr = ctrd.ctrStart(null, runCommand(rt, id, List.of("--rm"), "sh", "-c", "read l; echo got:$l; cat; echo eof"));
    awaitStatus(id, "RUNNING");
    try (OutputStream in = ctr.process().getOutputStream()) {
      in.write("hello\nworld\n".getBytes(StandardCharsets.UTF_8));
    }
    Exec.Result r = ctr.await(60);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("got:hello\nworld\neof\n");
  }

  @ParameterizedTest
  @EnumSource(ShimRuntime.class)
  void terminalIsThereAndFollowsResizes(ShimRuntime rt) throws Exception {
    use(rt);
    String id = id("tty", rt);
    // ctr -t needs a terminal of its own: script(1) gives it one. ctr sends its terminal's size
    // (ResizePty) after start and again on SIGWINCH, which the kernel sends when stty resizes
    // that terminal. The container marks, in its rootfs, when it has seen the first size.
    String inside = "test -t 0 && test -t 1 && echo tty:yes;"
        + " w() { i=0; while [ $i -lt 200 ]; do [ \"$(stty size 2>/dev/null)\" = \"$1\" ] && echo size:$1 && return; sleep 0.05; i=$((i+1)); done;"
        + " echo size:$(stty size 2>&1); };"
        + " w '40 100'; touch /seen-first-size; w '50 120'; exit 5";
    Path ready = ctrd.bundle(id).resolve("rootfs/seen-first-size");
    String outer = "stty rows 40 cols 100\n"
        + shellQuote(ctrd.ctrCommand(runCommand(rt, id, List.of("--rm", "-t"), "sh", "-c", inside))) + " &\n"
        + "p=$!\n"
        + "i=0; while [ ! -e " + shellQuote(List.of(ready.toString())) + " ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done\n"
        + "stty rows 50 cols 120\n"
        + "wait $p\n";
    Path script = ctrd.dir.resolve("tty-" + id + ".sh");
    Files.writeString(script, outer);
    Exec.Result r = Exec.run(List.of("script", "-qec", "sh " + script, "/dev/null"), Path.of("/dev/null"), 90);
    String out = r.out().replace("\r", "").replace("\0", "");
    assertThat(out).as(r.toString()).contains("tty:yes\n", "size:40 100\n", "size:50 120\n");
    assertThat(r.exit()).as(r.toString()).isEqualTo(5);
  }

  // ---- detached: exec, ps, pause, resume, metrics, kill, delete ----------------------------

  @ParameterizedTest
  @EnumSource(ShimRuntime.class)
  void detachedTaskAnswersEveryTaskVerb(ShimRuntime rt) throws Exception {
    use(rt);
    String id = id("detached", rt);
    Exec.Result d = run(rt, id, List.of("-d"), "sh", "-c", "i=0; while :; do i=$((i+1)); echo $i >/count; sleep 0.05; done");
    assertThat(d.exit()).as(d.toString()).isZero();
    long pid = awaitStatus(id, "RUNNING");
    ctrd.awaitEvent("/tasks/start", id, EVENT_WAIT, "\"pid\":" + pid);

    Exec.Result exec = ctrd.ctr("task", "exec", "--fifo-dir", ctrd.fifoDir().toString(), "--exec-id", "e1", id,
        "sh", "-c", "echo in-exec $(cat /count >/dev/null && echo sees-count); echo exec-err >&2; exit 4");
    assertThat(exec.exit()).as(exec.toString()).isEqualTo(4);
    assertThat(exec.out()).isEqualTo("in-exec sees-count\n");
    assertThat(exec.err()).isEqualTo("exec-err\n");
    ctrd.awaitEvent("/tasks/exec-added", id, EVENT_WAIT, "\"exec_id\":\"e1\"");
    ctrd.awaitEvent("/tasks/exec-started", id, EVENT_WAIT, "\"exec_id\":\"e1\"");
    ctrd.awaitEvent("/tasks/exit", id, EVENT_WAIT, "\"id\":\"e1\"", "\"exit_status\":4");

    Exec.Result ps = ctrd.ctr("task", "ps", id);
    assertThat(ps.exit()).as(ps.toString()).isZero();
    assertThat(ps.out().lines().map(l -> l.split("\\s+")[0])).contains(Long.toString(pid));
    // a running exec's line names its exec id (ProcessDetails in the shim's Pids reply)
    Exec.Result bg = ctrd.ctr("task", "exec", "--detach", "--fifo-dir", ctrd.fifoDir().toString(), "--exec-id", "e2", id, "sleep", "600");
    assertThat(bg.exit()).as(bg.toString()).isZero();
    ctrd.awaitEvent("/tasks/exec-started", id, EVENT_WAIT, "\"exec_id\":\"e2\"");
    Exec.Result ps2 = ctrd.ctr("task", "ps", id);
    assertThat(ps2.exit()).as(ps2.toString()).isZero();
    assertThat(ps2.out().lines().filter(l -> l.contains("e2")).count()).as(ps2.out()).isEqualTo(1);
    assertThat(ps2.out().lines().filter(l -> l.startsWith(pid + " ") || l.startsWith(pid + "\t")).findFirst().orElseThrow())
        .as("init has no exec id").doesNotContain("exec_id");

    Path count = ctrd.bundle(id).resolve("rootfs/count");
    Exec.Result pause = ctrd.ctr("task", "pause", id);
    assertThat(pause.exit()).as(pause.toString()).isZero();
    ctrd.awaitEvent("/tasks/paused", id, EVENT_WAIT);
    assertThat(status(id)).isEqualTo("PAUSED");
    String frozen = Files.readString(count);
    Thread.sleep(400);
    assertThat(Files.readString(count)).as("the counter of a paused container").isEqualTo(frozen);
    Exec.Result resume = ctrd.ctr("task", "resume", id);
    assertThat(resume.exit()).as(resume.toString()).isZero();
    ctrd.awaitEvent("/tasks/resumed", id, EVENT_WAIT);
    assertThat(status(id)).isEqualTo("RUNNING");
    Thread.sleep(400);
    assertThat(Files.readString(count)).as("the counter of a resumed container").isNotEqualTo(frozen);

    Exec.Result metrics = ctrd.ctr("task", "metrics", "--format", "json", id);
    assertThat(metrics.exit()).as(metrics.toString()).isZero();
    assertThat(metrics.out()).contains("\"pids\"", "\"memory\"", "\"cpu\"");
    assertThat(metrics.out().replaceAll("\\s", "")).containsPattern("\"pids\":\\{\"current\":[1-9]");
    // the message of the host's cgroup version, as containerd's runc shim sends it: v2's (cpu.stat's
    // microseconds, memory.stat's own names) on a cgroup v2 host, v1's elsewhere
    String flat = metrics.out().replaceAll("\\s", "");
    if (cgroup2Host()) {
      assertThat(flat).containsPattern("\"cpu\":\\{\"usage_usec\":[1-9]").containsPattern("\"memory\":\\{\"anon\":[1-9]");
    } else {
      assertThat(flat).containsPattern("\"cpu\":\\{\"usage\":\\{\"total\":[1-9]").doesNotContain("usage_usec");
    }

    Exec.Result kill = ctrd.ctr("task", "kill", "-s", "SIGKILL", id);
    assertThat(kill.exit()).as(kill.toString()).isZero();
    ctrd.awaitEvent("/tasks/exit", id, EVENT_WAIT, "\"id\":\"" + id + "\"", "\"exit_status\":137");
    awaitStatus(id, "STOPPED");
    Exec.Result rm = ctrd.ctr("task", "rm", id);
    assertThat(rm.exit()).as(rm.toString()).isZero();
    ctrd.awaitEvent("/tasks/delete", id, EVENT_WAIT, "\"exit_status\":137");
    Exec.Result crm = ctrd.ctr("container", "rm", id);
    assertThat(crm.exit()).as(crm.toString()).isZero();
    assertNoLeftovers(rt, id, pid);
  }

  /** A cgroup v2 host, as containerd's shims tell it: /sys/fs/cgroup is a cgroup2 filesystem. */
  private static boolean cgroup2Host() throws IOException {
    return Files.getFileStore(Path.of("/sys/fs/cgroup")).type().equals("cgroup2");
  }

  // ---- memory limit and OOM --------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(ShimRuntime.class)
  void memoryLimitOomKillsAndIsReported(ShimRuntime rt) throws Exception {
    use(rt);
    String id = id("oom", rt);
    // dd, the container's init, fills a 64 MiB buffer: over the 32 MiB limit (the OOM killer
    // picks the biggest process; no swap limit is set, the machines running this have no swap).
    Exec.Started ctr = ctrd.ctrStart(Path.of("/dev/null"), runCommand(rt, id, List.of("--rm", "--memory-limit", Long.toString(32L << 20)),
        "sh", "-c", "while [ ! -e /go ]; do sleep 0.05; done; exec dd if=/dev/zero of=/dev/null bs=64M count=1"));
    awaitStatus(id, "RUNNING");
    // the limit, read from the host (ctr's spec mounts no cgroupfs in the container)
    Path memory = Path.of("/sys/fs/cgroup/memory").resolve(CGROUP_PARENT.substring(1)).resolve(id);
    Path limit = Files.isDirectory(memory) ? memory.resolve("memory.limit_in_bytes")
        : Path.of("/sys/fs/cgroup").resolve(CGROUP_PARENT.substring(1)).resolve(id).resolve("memory.max");
    assertThat(Files.readString(limit).trim()).isEqualTo(Long.toString(32L << 20));
    Files.writeString(ctrd.bundle(id).resolve("rootfs/go"), "");
    Exec.Result r = ctr.await(60);
    assertThat(r.exit()).as(r.toString()).isEqualTo(137);
    ctrd.awaitEvent("/tasks/oom", id, EVENT_WAIT);
    ctrd.awaitEvent("/tasks/exit", id, EVENT_WAIT, "\"exit_status\":137");
    assertNoLeftovers(rt, id, -1);
  }

  /**
   * The OOM killer takes a child and init lives on: TaskOOM must come while the task runs, from
   * the kernel's notification (no exit of init to look at, no timer to wait for).
   */
  @ParameterizedTest
  @EnumSource(ShimRuntime.class)
  void oomOfAChildIsReportedWhileTheTaskRuns(ShimRuntime rt) throws Exception {
    use(rt);
    String id = id("oomchild", rt);
    Exec.Started ctr = ctrd.ctrStart(Path.of("/dev/null"), runCommand(rt, id, List.of("--rm", "--memory-limit", Long.toString(32L << 20)),
        "sh", "-c", "while [ ! -e /go ]; do sleep 0.05; done; dd if=/dev/zero of=/dev/null bs=64M count=1; exec sleep 600"));
    awaitStatus(id, "RUNNING");
    Files.writeString(ctrd.bundle(id).resolve("rootfs/go"), "");
    ctrd.awaitEvent("/tasks/oom", id, Duration.ofSeconds(5));
    assertThat(status(id)).as("init lives on after its child's OOM kill").isEqualTo("RUNNING");
    if (cgroup2Host()) {
      // v2's message counts it, as memory.events' oom_kill (v1's message has no such counter)
      Exec.Result metrics = ctrd.ctr("task", "metrics", "--format", "json", id);
      assertThat(metrics.exit()).as(metrics.toString()).isZero();
      assertThat(metrics.out().replaceAll("\\s", "")).containsPattern("\"memory_events\":\\{[^}]*\"oom_kill\":1[,}]");
    }
    assertThat(ctrd.ctr("task", "kill", "-s", "SIGKILL", id).exit()).isZero();
    Exec.Result r = ctr.await(60);
    assertThat(r.exit()).as(r.toString()).isEqualTo(137);
    assertNoLeftovers(rt, id, -1);
  }

  // ---- one shim for a pod's containers -----------------------------------------------------

  @ParameterizedTest
  @EnumSource(ShimRuntime.class)
  void podContainersShareOneShim(ShimRuntime rt) throws Exception {
    use(rt);
    // as the CRI plugin does: every container of a pod carries the sandbox's id; the sandbox
    // container's own id is that id
    String pod = id("pod", rt);
    String second = id("pod2", rt);
    List<String> group = List.of("-d", "--annotation", "io.kubernetes.cri.sandbox-id=" + pod);
    assertThat(run(rt, pod, group, "sleep", "1000").exit()).isZero();
    assertThat(run(rt, second, group, "sleep", "1000").exit()).isZero();
    long podPid = awaitStatus(pod, "RUNNING");
    long secondPid = awaitStatus(second, "RUNNING");
    String address = Files.readString(ctrd.bundle(pod).resolve("address")).trim();
    assertThat(Files.readString(ctrd.bundle(second).resolve("address")).trim())
        .as("the shim address containerd keeps for the pod's second container").isEqualTo(address);
    Set<Long> shims = shimPids(pod);
    assertThat(shims).as("processes listening on " + address).hasSize(1);

    // the first container's end is not the shim's: the second is still served. (runc's shim
    // runs its runtime in the first container's bundle, which containerd has removed by now:
    // jrunc's launcher starts from / then, but /bin/sh has already warned "getcwd() failed" on
    // stderr, and go-runc parses `ps --format json` with stderr mixed in, so `ctr task ps` of
    // the second container still fails through runc's shim with jrunc; not checked here.)
    assertThat(ctrd.ctr("task", "kill", "-s", "SIGKILL", pod).exit()).isZero();
    awaitStatus(pod, "STOPPED");
    assertThat(ctrd.ctr("task", "rm", pod).exit()).isZero();
    assertThat(ctrd.ctr("container", "rm", pod).exit()).isZero();
    Exec.Result exec = ctrd.ctr("task", "exec", "--fifo-dir", ctrd.fifoDir().toString(), "--exec-id", "e1", second, "echo", "still-served");
    assertThat(exec.out()).as(exec.toString()).isEqualTo("still-served\n");
    assertThat(shimPids(second)).isEqualTo(shims);
    assertNoLeftovers(rt, pod, podPid);

    assertThat(ctrd.ctr("task", "kill", "-s", "SIGKILL", second).exit()).isZero();
    awaitStatus(second, "STOPPED");
    assertThat(ctrd.ctr("task", "rm", second).exit()).isZero();
    assertThat(ctrd.ctr("container", "rm", second).exit()).isZero();
    assertNoLeftovers(rt, second, secondPid);
  }

  // ---- create's options and the cgroup driver (jrunc's shim) ------------------------------

  /**
   * What containerd gives jrunc's shim besides the bundle: {@code ctr --runtime-config-path}
   * sends {@code runtimeoptions.v1.Options{config_path}} (as the CRI does for a runtime type
   * other than runc's), read by the shim; and a systemd {@code slice:prefix:name} cgroupsPath,
   * which the CRI writes under a kubelet with the systemd driver, selects the systemd driver
   * (refused on this cgroup v1 host in the driver's own words, not the cgroupfs driver's "run
   * with --systemd-cgroup"; on systemd with cgroup v2 the container runs in its scope).
   */
  @org.junit.jupiter.api.Test
  void jruncShimTakesItsOptionsAndTheSystemdDriverFromASliceCgroupsPath() throws Exception {
    ShimRuntime rt = ShimRuntime.JRUNC_SHIM;
    use(rt);
    Path toml = Files.createTempFile("jrunc-shimtest", ".toml");
    try {
      Files.writeString(toml, "SystemdCgroup = false\nNoNewKeyring = true\n");
      String id = id("options", rt);
      Exec.Result ok = run(rt, id, List.of("--rm", "--runtime-config-path", toml.toString()), "sh", "-c", "echo fine");
      assertThat(ok.exit()).as(ok.toString()).isZero();
      assertThat(ok.out()).isEqualTo("fine\n");
      assertNoLeftovers(rt, id, -1);

      Files.writeString(toml, "SystemdCgroup = maybe\n");
      String bad = id("badoptions", rt);
      Exec.Result refused = run(rt, bad, List.of("--rm", "--runtime-config-path", toml.toString()), "true");
      assertThat(refused.exit()).as(refused.toString()).isNotZero();
      assertThat(refused.err()).contains("SystemdCgroup = maybe: expected true or false");
      ctrd.ctr("container", "rm", bad); // ctr leaves the container record of a task it could not create
      assertNoLeftovers(rt, bad, -1);
    } finally {
      Files.deleteIfExists(toml);
    }

    String id = id("systemd", rt);
    List<String> args = new ArrayList<>(List.of("run", "-d"));
    args.addAll(rt.runOptions(ctrd));
    args.addAll(List.of("--cgroup", "system.slice:shimtest:" + id, BusyboxImage.NAME, id, "sleep", "1000"));
    Exec.Result r = ctrd.ctr(90, args.toArray(String[]::new));
    if (Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) && Files.exists(Path.of("/run/systemd/private"))) {
      assertThat(r.exit()).as(r.toString()).isZero();
      long pid = awaitStatus(id, "RUNNING");
      assertThat(Files.readString(Path.of("/proc/" + pid + "/cgroup"))).contains("0::/system.slice/shimtest-" + id + ".scope");
      assertThat(ctrd.ctr("task", "kill", "-s", "SIGKILL", id).exit()).isZero();
      ctrd.awaitEvent("/tasks/exit", id, EVENT_WAIT, "\"exit_status\":137");
      assertThat(ctrd.ctr("task", "rm", id).exit()).isZero();
      assertThat(ctrd.ctr("container", "rm", id).exit()).isZero();
      assertThat(Path.of("/sys/fs/cgroup/system.slice/shimtest-" + id + ".scope")).doesNotExist();
    } else {
      assertThat(r.exit()).as(r.toString()).isNotZero();
      assertThat(r.err()).contains("the systemd cgroup driver").doesNotContain("run with --systemd-cgroup");
      ctrd.ctr("container", "rm", id);
    }
    assertThat(rt.runtimeRoot(ctrd).resolve(id)).as("runtime state of " + id).doesNotExist();
    assertThat(ctrd.ctr("container", "ls", "-q").out().lines()).as("containers").doesNotContain(id);
  }

  // ---- crash safety ------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(ShimRuntime.class)
  void killedShimIsCleanedUpByContainerd(ShimRuntime rt) throws Exception {
    use(rt);
    String id = id("shimkill", rt);
    Set<String> before = entries(rt.runtimeRoot(ctrd));
    assertThat(run(rt, id, List.of("-d"), "sleep", "1000").exit()).isZero();
    long pid = awaitStatus(id, "RUNNING");
    Set<Long> shims = shimPids(id);
    assertThat(shims).isNotEmpty();
    Path socket = shimSocket(id);
    for (long shim : shims) {
      Exec.Result kill = Exec.run(List.of("kill", "-9", Long.toString(shim)), null, 10);
      assertThat(kill.exit()).as(kill.toString()).isZero();
    }
    // containerd sees the connection drop and runs the shim binary's `delete` to clean up; the
    // task is then gone, or stopped until `ctr task rm`
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (status(id).equals("RUNNING") && System.nanoTime() < end) Thread.sleep(100);
    assertThat(status(id)).as("the task after its shim was killed").isNotEqualTo("RUNNING");
    Exec.Result rm = ctrd.ctr("task", "rm", id);
    assertThat(rm.exit() == 0 || rm.err().contains("not found")).as(rm.toString()).isTrue();
    Exec.Result crm = ctrd.ctr("container", "rm", id);
    assertThat(crm.exit()).as(crm.toString()).isZero();
    // a killed shim cannot remove its socket, and containerd 1.6's cleanup leaves it too
    Files.deleteIfExists(socket);
    assertNoLeftovers(rt, id, pid);
    // nor anything else of the runtime or the killed shim (pid files, logs)
    Set<String> after = entries(rt.runtimeRoot(ctrd));
    after.removeAll(before);
    assertThat(after).as("new in " + rt.runtimeRoot(ctrd) + " after the killed shim's cleanup").isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ShimRuntime.class)
  void taskSurvivesContainerdRestart(ShimRuntime rt) throws Exception {
    use(rt);
    String id = id("restart", rt);
    assertThat(run(rt, id, List.of("-d"), "sleep", "1000").exit()).isZero();
    long pid = awaitStatus(id, "RUNNING");
    ctrd.restart();
    assertThat(awaitStatus(id, "RUNNING")).as("the task's pid after containerd restarted").isEqualTo(pid);
    Exec.Result exec = ctrd.ctr("task", "exec", "--fifo-dir", ctrd.fifoDir().toString(), "--exec-id", "e1", id, "echo", "after-restart");
    assertThat(exec.out()).as(exec.toString()).isEqualTo("after-restart\n");
    // waitable: ctr task attach waits for the exit and returns its status
    Exec.Started attach = ctrd.ctrStart(Path.of("/dev/null"), "task", "attach", id);
    Thread.sleep(500);
    assertThat(ctrd.ctr("task", "kill", "-s", "SIGKILL", id).exit()).isZero();
    Exec.Result waited = attach.await(60);
    assertThat(waited.exit()).as(waited.toString()).isEqualTo(137);
    ctrd.awaitEvent("/tasks/exit", id, EVENT_WAIT, "\"exit_status\":137");
    Exec.Result rm = ctrd.ctr("task", "rm", id);
    assertThat(rm.exit() == 0 || rm.err().contains("not found")).as(rm.toString()).isTrue();
    assertThat(ctrd.ctr("container", "rm", id).exit()).isZero();
    assertNoLeftovers(rt, id, pid);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static void use(ShimRuntime rt) {
    String why = rt.unavailable();
    assumeTrue(why == null, () -> rt + " skipped: " + why);
  }

  private static String id(String scenario, ShimRuntime rt) {
    return "shimtest-" + scenario + "-" + rt.key;
  }

  private static String[] runCommand(ShimRuntime rt, String id, List<String> options, String... command) {
    List<String> args = new ArrayList<>(List.of("run"));
    args.addAll(options);
    args.addAll(rt.runOptions(ctrd));
    args.addAll(List.of("--cgroup", CGROUP_PARENT + "/" + id, BusyboxImage.NAME, id));
    args.addAll(Arrays.asList(command));
    return args.toArray(String[]::new);
  }

  private static Exec.Result run(ShimRuntime rt, String id, List<String> options, String... command) throws Exception {
    return ctrd.ctr(90, runCommand(rt, id, options, command));
  }

  /** The task's STATUS column in {@code ctr task ls}, or "" when it is not listed. */
  private static String status(String id) throws Exception {
    return taskLine(id).map(c -> c[2]).orElse("");
  }

  private static java.util.Optional<String[]> taskLine(String id) throws Exception {
    Exec.Result ls = ctrd.ctr("task", "ls");
    return ls.out().lines().map(l -> l.trim().split("\\s+")).filter(c -> c.length == 3 && c[0].equals(id)).findFirst();
  }

  /** Waits until the task has {@code status}; returns its pid. */
  private static long awaitStatus(String id, String status) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      var line = taskLine(id);
      if (line.isPresent() && line.get()[2].equals(status)) return Long.parseLong(line.get()[1]);
      if (System.nanoTime() > end) {
        throw new AssertionError("task " + id + " not " + status + " within 60 s: " + line.map(Arrays::toString).orElse("not listed")
            + "\ncontainerd's log:\n" + ctrd.logTail());
      }
      Thread.sleep(50);
    }
  }

  /** The names in {@code dir} (none when it does not exist). */
  private static Set<String> entries(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) return new java.util.TreeSet<>();
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(java.util.TreeSet::new));
    }
  }

  /** The processes listening on the shim socket containerd recorded for {@code id} ({@code address} in its bundle). */
  private static Set<Long> shimPids(String id) throws IOException {
    return PrivateContainerd.listeners(shimSocket(id));
  }

  private static Path shimSocket(String id) throws IOException {
    return Path.of(Files.readString(ctrd.bundle(id).resolve("address")).trim().replaceFirst("^unix://", ""));
  }

  /**
   * Nothing of a removed container is left: its process, containerd's bundle (and the rootfs
   * mounted there), its cgroup in every hierarchy, the runtime's state directory, its record.
   */
  private static void assertNoLeftovers(ShimRuntime rt, String id, long pid) throws Exception {
    Path bundle = ctrd.bundle(id);
    List<Path> cgroups = TestCgroups.dirs(CGROUP_PARENT + "/" + id);
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < end && (Files.exists(bundle) || cgroups.stream().anyMatch(Files::exists) || alive(pid))) {
      Thread.sleep(50);
    }
    assertThat(alive(pid)).as("container process " + pid + " of " + id + " is alive").isFalse();
    assertThat(bundle).as("containerd's bundle of " + id).doesNotExist();
    assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(bundle.toString())))
        .as("mounts under " + bundle).isEmpty();
    assertThat(cgroups.stream().filter(Files::exists)).as("cgroups of " + id).isEmpty();
    assertThat(rt.runtimeRoot(ctrd).resolve(id)).as("runtime state of " + id).doesNotExist();
    assertThat(ctrd.ctr("container", "ls", "-q").out().lines()).as("containers").doesNotContain(id);
  }

  private static boolean alive(long pid) throws IOException {
    if (pid <= 0) return false;
    Path status = Path.of("/proc/" + pid + "/status");
    try {
      // a zombie is dead: only its parent's wait is missing
      return Files.readAllLines(status).stream().noneMatch(l -> l.startsWith("State:") && l.contains("Z"));
    } catch (IOException gone) {
      return false;
    }
  }

  private static String shellQuote(String[] args) {
    return shellQuote(Arrays.asList(args));
  }

  private static String shellQuote(List<String> args) {
    return args.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
  }
}
