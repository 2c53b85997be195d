package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrunc.spec.Json;
import io.jrunc.testsupport.RequiresRoot;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rootless containers end to end: an ordinary user (created here, removed after) runs bin/jrunc
 * through {@code setpriv --reuid --regid --init-groups} with a minimal environment, on bundles
 * of {@code jrunc spec --rootless} with a busybox rootfs it owns. Needs root (to make the user)
 * and a repository, JDK and /tmp the user can reach.
 */
@RequiresRoot("creates a test user and runs jrunc as it with setpriv")
class RootlessTest {
  private static final String USER = "jrunc-rl-" + ProcessHandle.current().pid();
  private static final String PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static int uid;
  private static Path xdg;
  private static Path work;
  private static int counter;
  private static final List<String> CREATED = new ArrayList<>();

  @BeforeAll
  static void makeUser() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
    sh("useradd", "-m", "-s", "/bin/sh", USER);
    uid = Integer.parseInt(sh("id", "-u", USER).trim());
    xdg = Path.of("/run/user", Integer.toString(uid));
    Files.createDirectories(xdg);
    sh("chown", USER + ":" + USER, xdg.toString());
    sh("chmod", "700", xdg.toString());
    work = Files.createTempDirectory("jrunc-rootless");
    sh("chown", USER + ":" + USER, work.toString());
    // the user runs the launcher, the jar and the JDK from here: they must be reachable
    var probe = asUser(List.of(), "sh", "-c", "test -x " + Jrunc.LAUNCHER + " && " + Jrunc.LAUNCHER + " --version");
    assumeTrue(probe.exit() == 0, "the test user cannot run " + Jrunc.LAUNCHER + " (check permissions): " + probe);
  }

  @AfterAll
  static void removeUser() throws Exception {
    if (uid == 0) return;
    for (String id : CREATED) asUser(List.of(), Jrunc.LAUNCHER.toString(), "delete", "--force", id);
    // no process of the user may outlive the test
    for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
      if (p.info().user().map(USER::equals).orElse(false)) p.destroyForcibly();
    }
    Thread.sleep(100);
    sh("userdel", "-r", "-f", USER);
    removeSubIds();
    deleteTree(xdg);
    deleteTree(work);
  }

  // ------------------------------------------------------------------------------ tests

  /** {@code run} with the single mapping of the user's uid: what the container sees. */
  @Test
  void runShowsTheUsersSingleMapping() throws Exception {
    Path b = bundle(c -> {}, "sh", "-c",
        "id; cat /proc/self/uid_map /proc/self/gid_map; hostname; echo pid=$$; cat /proc/self/mountinfo");
    var r = jrunc("run", "--bundle", b.toString(), id());
    assertThat(r.exit()).as(r.toString()).isZero();
    String out = r.out();
    assertThat(out).contains("uid=0(root) gid=0(root)");
    assertThat(out.lines().map(l -> l.trim().replaceAll("\\s+", " ")).filter(l -> l.matches("\\d+ \\d+ \\d+")))
        .containsExactly("0 " + uid + " 1", "0 " + uid + " 1");
    assertThat(out).contains("\nrunc\n").contains("pid=1");
    // /sys: runc's rootless spec rbinds the host's (a user namespace without a network
    // namespace may not mount sysfs), read-only; the cgroup mount binds our own cgroup read-only
    String sys = mountLine(out, "/sys");
    assertThat(sys).as(out).contains(" - sysfs ").matches(".* /sys ro,.*");
    assertThat(mountLine(out, "/sys/fs/cgroup")).as(out).matches(".* /sys/fs/cgroup ro,.*");
    assertThat(mountLine(out, "/proc")).contains(" - proc ");
  }

  /**
   * A network namespace of the container's own, made by a rootless runtime, has its lo up (init
   * brings it up from inside; the namespace belongs to the container's user namespace, which a
   * thread of the unprivileged runtime could not enter to do it) and 127.0.0.1 answers.
   */
  @Test
  void aRootlessContainersOwnNetworkNamespaceHasLoUp() throws Exception {
    Path b = bundle(c -> ((ArrayNode) c.get("linux").get("namespaces")).addObject().put("type", "network"), "sh", "-c",
        LoopbackTest.PROBE);
    var r = jrunc("run", "--bundle", b.toString(), id());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).as(r.toString()).containsPattern("(?m)^1: lo: <LOOPBACK,UP,LOWER_UP>").contains("got=hello\n");
    assertThat(r.err()).as(r.toString()).doesNotContain("left down");
  }

  /** create/state/start/exec/ps/kill/delete, with the state under $XDG_RUNTIME_DIR/jrunc. */
  @Test
  void lifecycleAsTheUser() throws Exception {
    Path b = bundle(c -> {}, "sleep", "100");
    String id = id();
    var r = jrunc("create", "--bundle", b.toString(), id);
    assertThat(r.exit()).as(r.toString()).isZero();
    Path dir = xdg.resolve("jrunc").resolve(id);
    assertThat(dir).isDirectory();
    assertThat(Files.getOwner(dir).getName()).isEqualTo(USER);
    JsonNode st = Bundle.node(jrunc("state", id).out());
    assertThat(st.get("status").asText()).isEqualTo("created");
    assertThat(st.get("owner").asText()).isEqualTo(USER);
    assertThat(jrunc("start", id).exit()).isZero();
    assertThat(Bundle.node(jrunc("state", id).out()).get("status").asText()).isEqualTo("running");
    int pid = st.get("pid").asInt();
    assertThat(Files.readString(Path.of("/proc/" + pid + "/uid_map")).trim().replaceAll("\\s+", " "))
        .isEqualTo("0 " + uid + " 1");
    var ex = jrunc("exec", id, "sh", "-c", "id -u; echo $$; cat /proc/self/uid_map");
    assertThat(ex.exit()).as(ex.toString()).isZero();
    assertThat(ex.out()).startsWith("0\n").contains(" " + uid + " ");
    var d = jrunc("exec", "-d", id, "sleep", "77");
    assertThat(d.exit()).as(d.toString()).isZero();
    var ps = jrunc("ps", "--format", "json", id);
    assertThat(ps.exit()).as(ps.toString()).isZero();
    assertThat(Bundle.node(ps.out()).size()).as(ps.out()).isEqualTo(2);
    // no cgroup of its own here: pause says so instead of failing obscurely
    assumeNoDelegation();
    var pause = jrunc("pause", id);
    assertThat(pause.exit()).isEqualTo(1);
    assertThat(pause.err()).contains("no cgroup of its own");
    assertThat(jrunc("kill", "--all", id, "KILL").exit()).isZero();
    waitForStatus(id, "stopped");
    assertThat(jrunc("delete", id).exit()).isZero();
    assertThat(dir).doesNotExist();
  }

  @Test
  void deleteForceKillsARunningRootlessContainer() throws Exception {
    Path b = bundle(c -> {}, "sleep", "100");
    String id = id();
    assertThat(jrunc("run", "-d", "--bundle", b.toString(), id).exit()).isZero();
    int pid = Bundle.node(jrunc("state", id).out()).get("pid").asInt();
    var r = jrunc("delete", "--force", id);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(running(pid)).as("init %d after delete --force", pid).isFalse();
  }

  /** Alive and not a zombie (a detached init is reaped by the host's pid 1, maybe late). */
  private static boolean running(int pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }

  /** runc's --rootless: auto and true tolerate the cgroup that may not be made, false does not. */
  @Test
  void rootlessFlagDecidesAboutCgroupErrors() throws Exception {
    assumeNoDelegation();
    Path b = bundle(c -> {}, "true");
    for (String v : List.of("auto", "true")) {
      var r = jrunc("--rootless", v, "run", "--bundle", b.toString(), id());
      assertThat(r.exit()).as(v + ": " + r).isZero();
    }
    var f = jrunc("--rootless", "false", "run", "--bundle", b.toString(), id());
    assertThat(f.exit()).isEqualTo(1);
    assertThat(f.err()).contains("permission denied (EACCES)");
    var bad = jrunc("--rootless", "maybe", "list");
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.err()).contains("invalid --rootless value: maybe");
  }

  /** Limits need a cgroup: without delegation they are an error, never silently dropped. */
  @Test
  void limitsWithoutDelegationAreAClearError() throws Exception {
    assumeNoDelegation();
    Path b = bundle(c -> ((ObjectNode) c.get("linux")).putObject("resources").putObject("memory").put("limit", 100_000_000L), "true");
    var r = jrunc("run", "--bundle", b.toString(), id());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("permission denied (EACCES)").contains("linux.resources");
  }

  /** Without --root the state goes to $XDG_RUNTIME_DIR/jrunc; without that variable to /run/jrunc, which is root's. */
  @Test
  void defaultRootFollowsXdgRuntimeDir() throws Exception {
    Path b = bundle(c -> {}, "sleep", "100");
    String id = id();
    var r = asUser(List.of("XDG_RUNTIME_DIR=" + xdg), Jrunc.LAUNCHER.toString(), "create", "--bundle", b.toString(), id);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(xdg.resolve("jrunc").resolve(id)).isDirectory();
    var list = asUser(List.of("XDG_RUNTIME_DIR=" + xdg), Jrunc.LAUNCHER.toString(), "list", "-q");
    assertThat(list.out()).contains(id);
    assertThat(asUser(List.of("XDG_RUNTIME_DIR=" + xdg), Jrunc.LAUNCHER.toString(), "delete", "-f", id).exit()).isZero();
    var noXdg = asUser(List.of(), Jrunc.LAUNCHER.toString(), "create", "--bundle", b.toString(), id());
    assertThat(noXdg.exit()).isEqualTo(1);
    assertThat(noXdg.err()).contains("/run/jrunc").contains("permission denied (EACCES)");
  }

  /** /etc/subuid and /etc/subgid ranges: newuidmap/newgidmap write a 65536-id mapping. */
  @Test
  void subordinateIdsThroughNewuidmap() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/newuidmap")) && Files.isExecutable(Path.of("/usr/bin/newgidmap")),
        "needs newuidmap/newgidmap (package uidmap)");
    long sub = 3_000_000_000L + (ProcessHandle.current().pid() % 1000) * 65536L;
    removeSubIds();
    Files.writeString(Path.of("/etc/subuid"), USER + ":" + sub + ":65536\n", java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    Files.writeString(Path.of("/etc/subgid"), USER + ":" + sub + ":65536\n", java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    Consumer<ObjectNode> map = c -> {
      ObjectNode linux = (ObjectNode) c.get("linux");
      for (String f : List.of("uidMappings", "gidMappings")) {
        ArrayNode a = linux.putArray(f);
        a.addObject().put("containerID", 0).put("hostID", uid).put("size", 1);
        a.addObject().put("containerID", 1).put("hostID", sub).put("size", 65536);
      }
      ObjectNode user = ((ObjectNode) c.get("process")).putObject("user");
      user.put("uid", 65534).put("gid", 65534).putArray("additionalGids").add(100);
    };
    Path b = bundle(map, "sh", "-c", "id; grep -E '^(Uid|Gid|Groups):' /proc/self/status; cat /proc/self/uid_map /proc/self/gid_map");
    var r = jrunc("run", "--bundle", b.toString(), id());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("uid=65534(nobody) gid=65534(nogroup) groups=100");
    assertThat(r.out()).containsPattern("Uid:\\s+65534\\s+65534\\s+65534\\s+65534");
    assertThat(r.out()).containsPattern("Groups:\\s+100");
    assertThat(r.out().lines().map(l -> l.trim().replaceAll("\\s+", " ")).filter(l -> l.matches("\\d+ \\d+ \\d+")))
        .containsExactly("0 " + uid + " 1", "1 " + sub + " 65536", "0 " + uid + " 1", "1 " + sub + " 65536");
    // a host id the user was not given: newuidmap refuses, and the error says which map
    Path bad = bundle(c -> {
      map.accept(c);
      ((ObjectNode) c.get("linux").get("uidMappings").get(1)).put("hostID", sub + 65536);
    }, "true");
    var refused = jrunc("run", "--bundle", bad.toString(), id());
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("uid");
    removeSubIds();
  }

  // ------------------------------------------------------------------------------ fixtures

  private static String id() {
    String id = "rl" + (++counter);
    CREATED.add(id);
    return id;
  }

  /**
   * A bundle owned by the user: busybox rootfs, {@code jrunc spec --rootless} run as the user
   * (so the mapping names the user's uid), terminal off, the given args.
   */
  private static Path bundle(Consumer<ObjectNode> edit, String... args) throws Exception {
    Path dir = work.resolve("b" + (++counter));
    Bundle.busybox(dir);
    sh("chown", "-R", USER + ":" + USER, dir.toString());
    var spec = asUser(List.of(), Jrunc.LAUNCHER.toString(), "spec", "--rootless", "--bundle", dir.toString());
    assertThat(spec.exit()).as(spec.toString()).isZero();
    ObjectNode c = (ObjectNode) Json.mapper().readTree(dir.resolve("config.json").toFile());
    ObjectNode p = (ObjectNode) c.get("process");
    p.put("terminal", false);
    ArrayNode a = p.putArray("args");
    for (String s : args) a.add(s);
    edit.accept(c);
    Files.write(dir.resolve("config.json"), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(c));
    sh("chown", USER + ":" + USER, dir.resolve("config.json").toString());
    return dir;
  }

  /** {@code jrunc --root $XDG_RUNTIME_DIR/jrunc args...} as the user. */
  private static Jrunc.Result jrunc(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Jrunc.LAUNCHER.toString(), "--root", xdg.resolve("jrunc").toString()));
    cmd.addAll(Arrays.asList(args));
    return asUser(List.of("XDG_RUNTIME_DIR=" + xdg), cmd.toArray(String[]::new));
  }

  /** Runs a command as the user with only PATH, HOME and the given variables (as podman does). */
  private static Jrunc.Result asUser(List<String> env, String... cmd) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=" + USER, "--regid=" + USER, "--init-groups",
        "env", "-i", PATH, "HOME=/home/" + USER, "USER=" + USER));
    full.addAll(env);
    full.addAll(Arrays.asList(cmd));
    return exec(full);
  }

  private static Jrunc.Result exec(List<String> cmd) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(new File("/"));
    File out = File.createTempFile("jrunc-rl-out", ".txt");
    File err = File.createTempFile("jrunc-rl-err", ".txt");
    pb.redirectOutput(out).redirectError(err).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + " did not finish in 120 s");
    }
    var r = new Jrunc.Result(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
    out.delete();
    err.delete();
    return r;
  }

  /** A root command that must succeed; its stdout. */
  private static String sh(String... cmd) throws IOException, InterruptedException {
    var r = exec(List.of(cmd));
    if (r.exit() != 0) throw new IOException(String.join(" ", cmd) + ": " + r);
    return r.out();
  }

  /** The mountinfo line whose mount point is {@code mp} (the last one: the visible mount). */
  private static String mountLine(String mountinfo, String mp) {
    return mountinfo.lines().filter(l -> l.split(" ").length > 4 && l.split(" ")[4].equals(mp))
        .reduce((a, b) -> b).orElse("(no mount on " + mp + ")");
  }

  /** The tests of the no-cgroup fallback need a host where the user may not create cgroups. */
  private static void assumeNoDelegation() throws Exception {
    var r = asUser(List.of(), "sh", "-c", "for d in /sys/fs/cgroup /sys/fs/cgroup/*; do [ -w \"$d\" ] && echo \"$d\"; done; true");
    assumeTrue(r.out().isBlank(), "cgroups are delegated to the user here: " + r.out());
  }

  private void waitForStatus(String id, String status) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < end) {
      var r = jrunc("state", id);
      if (r.exit() == 0 && Bundle.node(r.out()).get("status").asText().equals(status)) return;
      Thread.sleep(50);
    }
    throw new AssertionError(id + " did not reach " + status);
  }

  private static void removeSubIds() throws IOException {
    for (String f : List.of("/etc/subuid", "/etc/subgid")) {
      Path p = Path.of(f);
      if (!Files.exists(p)) continue;
      List<String> keep = Files.readAllLines(p).stream().filter(l -> !l.startsWith(USER + ":")).toList();
      Files.write(p, keep);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (p == null || !Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
    }
  }
}
