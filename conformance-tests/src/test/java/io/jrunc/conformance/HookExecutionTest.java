package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrunc.testsupport.RequiresRoot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrunc.core.api.Container;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.CreateOptions;
import io.jrunc.core.api.SetupException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How each hook process is started, seen from the hook itself: its argv (execve's, args[0]
 * included), its working directory, its environment, the state it reads, and its timeout.
 * The hooks are busybox applets (busybox dispatches on argv[0], as dockerd's
 * {@code libnetwork-setkey} hook does), which copy what the kernel shows them
 * ({@code /proc/self/cmdline}, {@code /proc/self/environ}) to files the test reads.
 */
@RequiresRoot("runs containers and hooks with namespaces and cgroups")
@Timeout(120) // a hook that blocks the runtime must fail the test, not hang the build
class HookExecutionTest {
  private static final String[] RUNTIME_PHASES = {"prestart", "createRuntime", "poststart", "poststop"};
  private static final AtomicInteger SEQ = new AtomicInteger();

  @TempDir Path tmp;
  private Path out;

  @BeforeEach
  void needsRoot() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs /bin/busybox (busybox-static)");
    out = Files.createDirectories(tmp.resolve("out"));
  }

  private static String id() {
    return "hooks-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
  }

  private static ObjectNode hook(ObjectNode hooks, String phase, String path, String... args) {
    ArrayNode arr = hooks.has(phase) ? (ArrayNode) hooks.get(phase) : hooks.putArray(phase);
    ObjectNode h = arr.addObject().put("path", path);
    ArrayNode a = h.putArray("args");
    for (String s : args) a.add(s);
    return h;
  }

  /**
   * A busybox applet as a hook whose args[0] is its path, so that it runs the same whether
   * args[0] is honoured or not: the tests of cwd, env, state and timeout do not depend on the
   * argv[0] fix.
   */
  private static ObjectNode applet(ObjectNode hooks, String phase, String applet, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "/bin/busybox";
    all[1] = applet;
    System.arraycopy(args, 0, all, 2, args.length);
    return hook(hooks, phase, "/bin/busybox", all);
  }

  private static List<String> nulSeparated(Path p) throws Exception {
    String s = Files.readString(p, StandardCharsets.UTF_8);
    if (s.endsWith("\0")) s = s.substring(0, s.length() - 1);
    return Arrays.asList(s.split("\0", -1));
  }

  /**
   * Issue 12 item 1: every hook is execve(path, args, env), args[0] included. busybox runs the
   * applet its argv[0] names; with args[0] dropped it would be asked for the applet
   * "/bin/busybox" and fail, as dockerd did.
   */
  @Test
  void everyHookIsExecutedWithItsOwnArgvZero() throws Exception {
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("true");
    ((ObjectNode) b.config.get("root")).put("readonly", false);
    ObjectNode hooks = b.config.putObject("hooks");
    for (String phase : new String[] {"prestart", "createRuntime", "createContainer", "poststart", "poststop"}) {
      hook(hooks, phase, "/bin/busybox", "cp", "/proc/self/cmdline", out.resolve(phase + ".argv").toString());
    }
    // runs inside the container after pivot_root: its path and its output are the container's
    hook(hooks, "startContainer", "/bin/busybox", "cp", "/proc/self/cmdline", "/tmp/startContainer.argv");
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    Container c = rt.create(id(), CreateOptions.bundle(b.write()));
    c.start();
    c.waitFor();
    c.delete(false);
    for (String phase : new String[] {"prestart", "createRuntime", "createContainer", "poststart", "poststop"}) {
      assertThat(nulSeparated(out.resolve(phase + ".argv"))).as(phase)
          .containsExactly("cp", "/proc/self/cmdline", out.resolve(phase + ".argv").toString());
    }
    assertThat(nulSeparated(b.dir.resolve("rootfs/tmp/startContainer.argv")))
        .containsExactly("cp", "/proc/self/cmdline", "/tmp/startContainer.argv");
  }

  /**
   * Issue 12 item 3: a createContainer hook runs in the container's mount namespace before
   * pivot_root with the rootfs as its cwd (as runc), so a relative path lands in the container,
   * never on the host. The other kinds' cwd is runc's too: the bundle for prestart and
   * createRuntime (runc create chdirs there), the process's cwd for startContainer (it runs
   * from init), the runtime's own for poststart and poststop.
   */
  @Test
  void createContainerHookRunsInTheRootfsAndNeverWritesTheHost() throws Exception {
    String name = "jrunc-hook-cwd-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    Path hostFile = Path.of("/usr/lib", name);
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("true");
    Files.createDirectories(b.dir.resolve("rootfs/usr/lib"));
    Files.createDirectories(b.dir.resolve("rootfs/work"));
    ((ObjectNode) b.config.get("root")).put("readonly", false);
    b.process().put("cwd", "/work");
    ObjectNode hooks = b.config.putObject("hooks");
    applet(hooks, "createContainer", "sh", "-c",
        "touch ./usr/lib/" + name + " && pwd > " + out.resolve("createContainer.cwd"));
    for (String phase : RUNTIME_PHASES) {
      applet(hooks, phase, "sh", "-c", "pwd > " + out.resolve(phase + ".cwd"));
    }
    applet(hooks, "startContainer", "sh", "-c", "pwd > /tmp/startContainer.cwd");
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    try {
      Container c = rt.create(id(), CreateOptions.bundle(b.write()));
      c.start();
      c.waitFor();
      c.delete(false);
      assertThat(hostFile).as("a createContainer hook wrote into the host's /usr/lib").doesNotExist();
      assertThat(b.dir.resolve("rootfs/usr/lib/" + name)).exists();
    } finally {
      Files.deleteIfExists(hostFile);
    }
    Path bundle = b.dir.toRealPath();
    assertThat(Files.readString(out.resolve("createContainer.cwd")).trim()).isEqualTo(bundle.resolve("rootfs").toString());
    assertThat(Files.readString(out.resolve("prestart.cwd")).trim()).isEqualTo(bundle.toString());
    assertThat(Files.readString(out.resolve("createRuntime.cwd")).trim()).isEqualTo(bundle.toString());
    assertThat(Files.readString(b.dir.resolve("rootfs/tmp/startContainer.cwd")).trim()).isEqualTo("/work");
    String own = Path.of("").toAbsolutePath().toRealPath().toString();
    assertThat(Files.readString(out.resolve("poststart.cwd")).trim()).isEqualTo(own);
    assertThat(Files.readString(out.resolve("poststop.cwd")).trim()).isEqualTo(own);
  }

  private static Map<String, String> environ(Path p) throws Exception {
    Map<String, String> m = new TreeMap<>();
    String s = Files.readString(p, StandardCharsets.UTF_8);
    if (s.isEmpty()) return m;
    for (String kv : nulSeparated(p)) {
      int eq = kv.indexOf('=');
      m.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
    }
    return m;
  }

  /**
   * Issue 12 item 4: a hook without {@code env} gets the runtime's environment (runc's
   * exec.Cmd with a nil Env); one with {@code env} exactly that, {@code []} none at all. A hook
   * in the container's namespaces without {@code env} gets the container process's, as runc's
   * run from its init (the runtime's variables stay on the host).
   */
  @Test
  void hookWithoutEnvGetsTheRuntimesEnvironment() throws Exception {
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("true");
    ((ObjectNode) b.config.get("root")).put("readonly", false);
    b.process().putArray("env").add("PATH=/bin").add("FROM_CONFIG=1");
    ObjectNode hooks = b.config.putObject("hooks");
    for (String phase : RUNTIME_PHASES) {
      applet(hooks, phase, "cp", "/proc/self/environ", out.resolve(phase + ".env").toString());
    }
    ObjectNode given = applet(hooks, "createRuntime", "cp", "/proc/self/environ", out.resolve("given.env").toString());
    given.putArray("env").add("ONLY=this").add("PATH=/nowhere");
    ObjectNode none = applet(hooks, "createRuntime", "cp", "/proc/self/environ", out.resolve("none.env").toString());
    none.putArray("env");
    applet(hooks, "createContainer", "cp", "/proc/self/environ", out.resolve("createContainer.env").toString());
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    Container c = rt.create(id(), CreateOptions.bundle(b.write()));
    c.start();
    c.waitFor();
    c.delete(false);
    Map<String, String> runtime = new TreeMap<>(System.getenv());
    for (String phase : RUNTIME_PHASES) {
      assertThat(environ(out.resolve(phase + ".env"))).as(phase).isEqualTo(runtime);
    }
    assertThat(nulSeparated(out.resolve("given.env"))).containsExactly("ONLY=this", "PATH=/nowhere");
    assertThat(environ(out.resolve("none.env"))).isEmpty();
    // the process's env as the container gets it: HOME added from the rootfs' /etc/passwd
    assertThat(environ(out.resolve("createContainer.env")))
        .isEqualTo(Map.of("PATH", "/bin", "FROM_CONFIG", "1", "HOME", "/root"));
  }

  /**
   * Issue 12 item 5: poststart hooks get the state as it was at start, "running" with init's
   * pid, even when the process has exited by the time they run. {@code true} exits at once:
   * a state read after the exec fifo was written says "stopped" and pid 0 once it lost the
   * race (the runtime wins it on an idle machine); the first hook waits until the process is
   * surely gone, so a state read per hook would be caught. Through the CLI (a fresh JVM, as
   * engines run it) and the API.
   */
  @Test
  void poststartHookGetsTheRunningStateEvenAfterTheProcessExited() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    for (int i = 0; i < 4; i++) {
      boolean cli = i % 2 == 0;
      Bundle b = Bundle.busybox(tmp.resolve("b" + i)).args("true");
      Path got = out.resolve("poststart" + i + ".json");
      ObjectNode hooks = b.config.putObject("hooks");
      applet(hooks, "poststart", "sleep", "0.3");
      applet(hooks, "poststart", "cp", "/dev/stdin", got.toString());
      String id = id();
      int pid;
      if (cli) {
        Path pidFile = tmp.resolve("pid" + i);
        var r = j.run("run", "-d", "--pid-file", pidFile.toString(), "--bundle", b.write().toString(), id);
        assertThat(r.exit()).as(r.toString()).isZero();
        pid = Integer.parseInt(Files.readString(pidFile).trim());
        assertThat(j.run("delete", "--force", id).exit()).isZero();
      } else {
        Container c = rt.create(id, CreateOptions.bundle(b.write()));
        pid = c.pid();
        c.start();
        c.waitFor();
        c.delete(false);
      }
      JsonNode st = Bundle.node(Files.readString(got));
      assertThat(st.get("status").asText()).as(cli ? "cli" : "api").isEqualTo("running");
      assertThat(st.get("pid").asInt()).as(cli ? "cli" : "api").isEqualTo(pid).isPositive();
    }
  }

  /**
   * Issue 11 item 5: the timeout counts from the hook's start, also while the state is written
   * to its stdin. A hook that never reads a 1 MB state fails create at its timeout with runc's
   * words, and it is killed with what it started: nothing is left running.
   */
  @Test
  void timeoutHoldsWhileTheStateIsWrittenAndNothingIsLeftBehind() throws Exception {
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("true");
    b.config.putObject("annotations").put("big", "x".repeat(1 << 20));
    Path pids = out.resolve("pids");
    ObjectNode h = applet(b.config.putObject("hooks"), "createRuntime", "sh", "-c",
        "/bin/busybox sleep 20 & echo $$ $! > " + pids + "; wait");
    h.put("timeout", 2);
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    String id = id();
    long t0 = System.nanoTime();
    Throwable t = catchThrowable(() -> rt.create(id, CreateOptions.bundle(b.write())));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    if (t == null) rt.get(id).delete(true); // created after all: leave nothing behind
    assertThat(t).isInstanceOf(SetupException.class)
        .hasMessageContaining("error running createRuntime hook #0: /bin/busybox")
        .hasMessageContaining("hook ran past specified timeout of 2.0s");
    assertThat(ms).isBetween(1_900L, 8_000L);
    assertThat(rt.list()).doesNotContain(id);
    for (String pid : Files.readString(pids).trim().split(" ")) {
      Path proc = Path.of("/proc", pid);
      for (int i = 0; i < 100 && Files.exists(proc); i++) Thread.sleep(20);
      assertThat(proc).as("hook process " + pid + " left behind").doesNotExist();
    }
  }

  /** Without a timeout, a hook that exits without reading a 1 MB state does not block create. */
  @Test
  void hookThatExitsWithoutReadingABigStateDoesNotBlock() throws Exception {
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("true");
    b.config.putObject("annotations").put("big", "x".repeat(1 << 20));
    ObjectNode hooks = b.config.putObject("hooks");
    applet(hooks, "createRuntime", "true");
    applet(hooks, "createContainer", "true");
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    long t0 = System.nanoTime();
    Container c = rt.create(id(), CreateOptions.bundle(b.write()));
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(8_000L);
    c.delete(true);
  }
}
