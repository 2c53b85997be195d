package io.jrunc.conformance.containerd;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * A containerd of the test's own: its root, state, gRPC and ttrpc sockets, config and log
 * under one temporary directory; the CRI plugin off ({@link #start}), or on in a network
 * namespace of its own ({@link #startWithCri}); PATH with the repository's {@code bin/}
 * first, so {@code containerd-shim-jrunc-v2} (runtime type {@code io.containerd.jrunc.v2}) and
 * {@code jrunc} are found there. A {@code ctr events} stream records every event it publishes
 * in {@code events.log}, where tests look for {@code /tasks/exit}, {@code /tasks/oom}, ...
 *
 * <p>The shims' own sockets land in {@code /run/containerd/s} whatever the config says (a
 * constant of containerd 1.6; the names hash this daemon's socket path and the container, so
 * they cannot meet a system containerd's). Shims remove their sockets when they exit; the
 * directories are removed at {@link #close()} if this class made them and they are empty.
 *
 * <p>{@link #close()} kills and deletes every task and container left in its namespace, stops
 * the daemon by its pid and removes the directory ({@code rm --one-file-system}: a mount that
 * survived is never descended into).
 */
final class PrivateContainerd implements AutoCloseable {
  static final String NAMESPACE = "shimtest";
  /** The containerd namespace of the CRI plugin's images, pods and containers. */
  static final String CRI_NAMESPACE = "k8s.io";
  private static final Path RUN_CONTAINERD = Path.of("/run/containerd");
  private static final Path SHIM_SOCKETS = RUN_CONTAINERD.resolve("s");

  final Path dir;
  /** The namespace of {@link #ctr} and {@link #bundle}: {@link #NAMESPACE}, or {@link #CRI_NAMESPACE} with the CRI. */
  final String namespace;
  private final Path repoBin;
  private final boolean ownNetns;
  private final boolean madeRunContainerd;
  private final boolean madeShimSockets;
  private Process daemon;
  private Process events;

  private PrivateContainerd(Path dir, Path repoBin, String namespace, boolean ownNetns) {
    this.dir = dir;
    this.repoBin = repoBin;
    this.namespace = namespace;
    this.ownNetns = ownNetns;
    this.madeRunContainerd = !Files.exists(RUN_CONTAINERD);
    this.madeShimSockets = !Files.exists(SHIM_SOCKETS);
  }

  /** What is missing on this machine to run containerd tests, or null. */
  static String missingTools() {
    for (String tool : List.of("containerd", "ctr", "script", "tar")) {
      boolean found = Arrays.stream(Exec.SYSTEM_PATH.split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
      if (!found) return tool + " is not installed (Debian package " + (tool.equals("script") ? "bsdutils" : tool) + ")";
    }
    if (!Files.isExecutable(BusyboxImage.BUSYBOX)) return BusyboxImage.BUSYBOX + " is missing (Debian package busybox-static)";
    return null;
  }

  /** Starts a containerd under a new temporary directory and imports the busybox image. */
  static PrivateContainerd start(Path repoBin) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("shimtest-ctrd");
    PrivateContainerd c = new PrivateContainerd(dir, repoBin, NAMESPACE, false);
    try {
      Files.writeString(dir.resolve("config.toml"), """
          version = 2
          root = "%1$s/root"
          state = "%1$s/state"
          disabled_plugins = ["io.containerd.grpc.v1.cri"]
          [grpc]
            address = "%1$s/sock"
          [ttrpc]
            address = "%1$s/sock.ttrpc"
          """.formatted(dir));
      c.startDaemon();
      Exec.Result imported = c.ctr(120, "image", "import", BusyboxImage.build(dir).toString());
      if (imported.exit() != 0) throw new IOException("ctr image import of the busybox image failed: " + imported);
      return c;
    } catch (IOException | InterruptedException | RuntimeException e) {
      c.closeAfter(e);
      throw e;
    }
  }

  /**
   * Starts a containerd with its CRI plugin (gRPC {@code runtime.v1.RuntimeService} on
   * {@link #socket()}) in a network namespace of its own ({@code unshare --net}, loopback up),
   * so the CRI's streaming server and host-network pods never reach the host's network; and
   * imports {@link BusyboxImage#NAME} and the sandbox image {@link BusyboxImage#SANDBOX_NAME}
   * into {@link #CRI_NAMESPACE}. {@code handlers} maps each CRI runtime handler to its runtime
   * type; runc's shim keeps its runc state in {@link #runcRoot()}. CNI has empty directories
   * under {@link #dir}: only host-network pods can run. Nothing is pulled: no registry is
   * reachable, the sandbox image is local.
   */
  static PrivateContainerd startWithCri(Path repoBin, Map<String, String> handlers) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("critest-ctrd");
    PrivateContainerd c = new PrivateContainerd(dir, repoBin, CRI_NAMESPACE, true);
    try {
      Files.createDirectories(dir.resolve("cni/bin"));
      Files.createDirectories(dir.resolve("cni/conf"));
      String cri = "plugins.\"io.containerd.grpc.v1.cri\"";
      StringBuilder toml = new StringBuilder("""
          version = 2
          root = "%1$s/root"
          state = "%1$s/state"
          [grpc]
            address = "%1$s/sock"
          [ttrpc]
            address = "%1$s/sock.ttrpc"
          [plugins."io.containerd.internal.v1.opt"]
            path = "%1$s/opt"
          [%2$s]
            sandbox_image = "%3$s"
            disable_apparmor = true
            restrict_oom_score_adj = %4$b
            stream_server_address = "127.0.0.1"
            stream_server_port = "0"
          [%2$s.cni]
            bin_dir = "%1$s/cni/bin"
            conf_dir = "%1$s/cni/conf"
          [%2$s.containerd]
            snapshotter = "overlayfs"
          """.formatted(dir, cri, BusyboxImage.SANDBOX_NAME, !hasCapSysResource()));
      for (Map.Entry<String, String> h : handlers.entrySet()) {
        toml.append("[%s.containerd.runtimes.%s]\n  runtime_type = \"%s\"\n".formatted(cri, h.getKey(), h.getValue()));
        if (h.getValue().equals("io.containerd.runc.v2")) {
          toml.append("[%s.containerd.runtimes.%s.options]\n  Root = \"%s\"\n".formatted(cri, h.getKey(), c.runcRoot()));
        }
      }
      Files.writeString(dir.resolve("config.toml"), toml);
      c.startDaemon();
      Exec.Result imported = c.ctr(120, "image", "import", BusyboxImage.buildWithSandbox(dir).toString());
      if (imported.exit() != 0) throw new IOException("ctr image import of the busybox image failed: " + imported);
      return c;
    } catch (IOException | InterruptedException | RuntimeException e) {
      c.closeAfter(e);
      throw e;
    }
  }

  /** Stops this containerd and removes its directory after a start that failed with {@code e}. */
  private void closeAfter(Exception e) {
    try {
      close();
    } catch (Exception suppressed) {
      e.addSuppressed(suppressed);
    }
  }

  /**
   * Whether this process may lower an oom_score_adj (CAP_SYS_RESOURCE, bit 24 of CapEff). The
   * CRI gives a pod's sandbox -998; where root lacks the capability (some build containers),
   * neither runc nor jrunc can write that, and the CRI is told to restrict scores to
   * containerd's own ({@code restrict_oom_score_adj}), as for a rootless containerd.
   */
  static boolean hasCapSysResource() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("CapEff:")) return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 24)) != 0;
    }
    return false;
  }

  Path socket() {
    return dir.resolve("sock");
  }

  /** The bundle containerd makes for a task: config.json, rootfs (mounted by the shim), address. */
  Path bundle(String id) {
    return dir.resolve("state/io.containerd.runtime.v2.task").resolve(namespace).resolve(id);
  }

  /** Where ctr puts the IO fifos (its default is under /run/containerd). */
  Path fifoDir() {
    return dir.resolve("fifo");
  }

  /** The --root given to runc or jrunc under runc's shim. */
  Path runcRoot() {
    return dir.resolve("runc-root");
  }

  /** The state root of jrunc's shim (JRUNC_SHIM_ROOT): NS/ holds jrunc's --root for the namespace. */
  Path jruncShimRoot() {
    return dir.resolve("jrunc-shim-root");
  }

  /** Runs {@code ctr -a SOCKET -n NAMESPACE args...}. */
  Exec.Result ctr(int seconds, String... args) throws IOException, InterruptedException {
    return Exec.run(ctrCommand(args), null, seconds);
  }

  Exec.Result ctr(String... args) throws IOException, InterruptedException {
    return ctr(60, args);
  }

  /** Starts a ctr command in the background; stdin null: a pipe the test writes to. */
  Exec.Started ctrStart(Path stdin, String... args) throws IOException {
    return Exec.start(ctrCommand(args), Map.of(), stdin);
  }

  List<String> ctrCommand(String... args) {
    List<String> cmd = new ArrayList<>(List.of("ctr", "-a", socket().toString(), "-n", namespace));
    cmd.addAll(Arrays.asList(args));
    return cmd;
  }

  /** Stops containerd (SIGTERM, as a service manager would) and starts it again on the same dirs. */
  void restart() throws IOException, InterruptedException {
    stopDaemon();
    startDaemon();
  }

  /** The first line of the event log with {@code topic} for {@code id} that contains every of {@code with}. */
  String awaitEvent(String topic, String id, Duration timeout, String... with) throws IOException, InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    Path log = dir.resolve("events.log");
    while (true) {
      for (String line : Files.readAllLines(log)) {
        if (!line.contains(" " + topic + " ") || !line.contains("\"container_id\":\"" + id + "\"")) continue;
        if (Arrays.stream(with).allMatch(line::contains)) return line;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("no event " + topic + " for " + id + " with " + Arrays.toString(with) + " within "
            + timeout.toSeconds() + " s; events:\n" + String.join("\n", Files.readAllLines(log)));
      }
      Thread.sleep(50);
    }
  }

  private void startDaemon() throws IOException, InterruptedException {
    String config = dir.resolve("config.toml").toString();
    // unshare(1) without --fork and sh's exec: the process started here is containerd itself
    ProcessBuilder pb = ownNetns
        ? new ProcessBuilder("unshare", "--net", "sh", "-euc", "ip link set lo up; exec containerd --config \"$0\"", config)
        : new ProcessBuilder("containerd", "--config", config);
    pb.environment().clear();
    pb.environment().put("PATH", repoBin + ":" + Exec.SYSTEM_PATH);
    // the jrunc shim's state (its own files and jrunc's --root) in our directory, not the
    // host's /run/containerd/jrunc; shims inherit containerd's environment
    pb.environment().put("JRUNC_SHIM_ROOT", jruncShimRoot().toString());
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("containerd.log").toFile()));
    daemon = pb.start();
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (ctr(10, "version").exit() != 0) {
      if (!daemon.isAlive() || System.nanoTime() > end) {
        throw new IOException("containerd did not start (" + (daemon.isAlive() ? "no answer in 30 s" : "exit " + daemon.exitValue())
            + "); its log:\n" + tail(dir.resolve("containerd.log")));
      }
      Thread.sleep(100);
    }
    ProcessBuilder ev = new ProcessBuilder(ctrCommand("events"));
    ev.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("events.log").toFile()));
    events = ev.start();
  }

  private void stopDaemon() throws InterruptedException {
    if (events != null) {
      events.destroy();
      events.waitFor(10, TimeUnit.SECONDS);
    }
    if (daemon != null) {
      daemon.destroy();
      if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
        daemon.destroyForcibly();
        daemon.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** The last lines of containerd's log, for a failure message. */
  String logTail() throws IOException {
    return tail(dir.resolve("containerd.log"));
  }

  private static String tail(Path log) throws IOException {
    if (!Files.exists(log)) return "(no log)";
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  /** The shims this containerd started: every process given {@code -address SOCKET} of ours. */
  List<Long> shims() throws IOException {
    List<Long> out = new ArrayList<>();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        try {
          List<String> args = Arrays.asList(Files.readString(proc.resolve("cmdline")).split("\0"));
          int a = args.indexOf("-address");
          if (a >= 0 && a + 1 < args.size() && args.get(a + 1).equals(socket().toString())) {
            out.add(Long.parseLong(proc.getFileName().toString()));
          }
        } catch (IOException gone) {
          // ended while being looked at
        }
      }
    }
    return out;
  }

  /**
   * The unix sockets process {@code pid} listens on: proc(5) {@code /proc/net/unix} gives each
   * bound socket's inode, flags ({@code __SO_ACCEPTCON} 0x10000 = listening) and path; the
   * process's fds name the inodes it holds.
   */
  static Set<Path> listeningSockets(long pid) throws IOException {
    Map<String, Path> listening = new HashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
      String[] c = line.trim().split("\\s+");
      if (c.length >= 8 && c[7].startsWith("/") && (Long.parseLong(c[3], 16) & 0x10000) != 0) listening.put(c[6], Path.of(c[7]));
    }
    Set<Path> out = new TreeSet<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
      for (Path fd : fds) {
        String target = Files.readSymbolicLink(fd).toString();
        if (target.startsWith("socket:[")) {
          Path p = listening.get(target.substring(8, target.length() - 1));
          if (p != null) out.add(p);
        }
      }
    } catch (IOException gone) {
      // the process ended
    }
    return out;
  }

  /** The processes listening on unix socket {@code path}. */
  static Set<Long> listeners(Path path) throws IOException {
    Set<Long> out = new TreeSet<>();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        long pid = Long.parseLong(proc.getFileName().toString());
        if (listeningSockets(pid).contains(path)) out.add(pid);
      }
    }
    return out;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    List<String> problems = new ArrayList<>();
    if (daemon != null && daemon.isAlive()) {
      Exec.Result tasks = ctr("task", "ls", "-q");
      for (String id : tasks.out().lines().filter(l -> !l.isBlank()).toList()) {
        ctr("task", "kill", "-s", "SIGKILL", id);
        for (int i = 0; i < 50 && ctr("task", "rm", id).exit() != 0; i++) Thread.sleep(100);
      }
      Exec.Result containers = ctr("container", "ls", "-q");
      for (String id : containers.out().lines().filter(l -> !l.isBlank()).toList()) {
        Exec.Result rm = ctr("container", "rm", id);
        if (rm.exit() != 0) problems.add("ctr container rm " + id + ": " + rm.err().trim());
      }
    }
    stopDaemon();
    // A shim exits once its last task is deleted (Shutdown), which may still be under way.
    // Shims outlive containerd by design: after a grace period stop the ones it started for
    // us, whatever state they are in (a failed test may leave one serving a task), and their
    // sockets, and say so.
    for (int i = 0; i < 100 && !shims().isEmpty(); i++) Thread.sleep(100);
    for (long shim : shims()) {
      Set<Path> sockets = listeningSockets(shim);
      String cmdline = Files.readString(Path.of("/proc/" + shim + "/cmdline")).replace('\0', ' ').trim();
      ProcessHandle.of(shim).ifPresent(ProcessHandle::destroyForcibly);
      for (Path s : sockets) Files.deleteIfExists(s);
      problems.add("shim " + shim + " (" + cmdline + ") was still running 10 s after its containers were deleted (killed)");
    }
    List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
        .map(l -> l.split(" ")[4]).filter(m -> m.startsWith(dir + "/")).sorted(Comparator.reverseOrder()).toList();
    for (String m : mounts) {
      Exec.run(List.of("umount", "-l", m), null, 30);
      problems.add("mount " + m + " was left (unmounted)");
    }
    Exec.Result rm = Exec.run(List.of("rm", "-rf", "--one-file-system", dir.toString()), null, 120);
    if (rm.exit() != 0) problems.add("rm -rf " + dir + ": " + rm.err().trim());
    for (Path made : madeShimSockets ? List.of(SHIM_SOCKETS, RUN_CONTAINERD) : List.<Path>of()) {
      if (made.equals(RUN_CONTAINERD) && !madeRunContainerd) continue;
      try {
        Files.deleteIfExists(made);
      } catch (DirectoryNotEmptyException e) {
        // another containerd's shims (another test run, another engine) still use it
      }
    }
    if (!problems.isEmpty()) throw new IOException("cleaning up the private containerd: " + String.join("; ", problems));
  }
}
