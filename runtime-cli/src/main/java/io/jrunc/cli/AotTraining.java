package io.jrunc.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The training run for jrunc's AOT cache (JEP 483/514): the build runs {@code java
 * -XX:AOTCacheOutput=target/jrunc.aot -cp jrunc.jar io.jrunc.cli.AotTraining}, and the JVM
 * records the classes this run loads and links. Later calls with {@code -XX:AOTCache} start
 * with them already loaded. The run covers the typical commands in one JVM; their output is
 * discarded. It touches nothing outside a temporary directory it removes (every container
 * command names a container that does not exist, under a temporary --root). When a command is
 * wired to runtime-core, its lookup path is trained through these calls; add a call for any new
 * typical path. {@code validate} is left out on purpose: the JSON-schema validator and
 * jackson-databind are ~700 classes, and the JVM loads every class of the cache at start-up
 * (JEP 483), which would cost the hot commands ({@code state}, {@code kill}, ...) ~25 ms each
 * for the sake of a rarely used one. {@code create} is trained through the planner
 * ({@code ContainerRuntime.plan}): it validates and plans a container of runc's default spec over
 * a dummy rootfs and compiles its init program, making nothing on the host, so no container ever
 * starts on the build machine.
 */
public final class AotTraining {
  private AotTraining() {}

  public static void main(String[] args) throws IOException {
    plainLocale();
    contendedMaps();
    // the LambdaForms of the JDK's FFM initialisation, which exec and the rest would generate
    io.jrunc.core.api.host.NativeAccess.seedAotCache();
    // not createTempDirectory: see LightAotTraining.tempDirectory
    Path tmp = LightAotTraining.tempDirectory("jrunc-aot-");
    PrintStream out = System.out;
    PrintStream err = System.err;
    PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
    int failures = 0;
    try {
      System.setOut(sink);
      System.setErr(sink);
      String root = tmp.resolve("root").toString();
      String bundle = tmp.toString();
      List<List<String>> runs =
          List.of(
              List.of("--version"),
              List.of("--help"),
              List.of("spec", "-b", bundle),
              List.of("spec", "--bundle", bundle), // the "exists" error path
              List.of("features"),
              List.of("--root", root, "state", "jrunc-aot-training-missing"),
              List.of("--root", root, "--log-format", "json", "--log",
                  tmp.resolve("log.json").toString(), "state", "jrunc-aot-training-missing"),
              List.of("--root", root, "delete", "--force", "jrunc-aot-training-missing"),
              List.of("--root", root, "list", "--format", "json"),
              List.of("--root", root, "start", "jrunc-aot-training-missing"),
              List.of("--root", root, "kill", "jrunc-aot-training-missing", "SIGKILL"),
              List.of("--root", root, "exec", "-t", "jrunc-aot-training-missing", "sh", "-c", "true"),
              List.of("--root", root, "update", "--memory", "1m", "jrunc-aot-training-missing"),
              List.of("create", "--help"),
              List.of("kill", "--bogus-flag"));
      for (List<String> run : runs) {
        Main.execute(asMainGetsThem(run));
      }
      // create, planned only: the spec, security, cgroup layout, rootfs and program classes
      Path ctr = tmp.resolve("ctr");
      Files.createDirectories(ctr.resolve("rootfs/bin"));
      Path sh = Files.createFile(ctr.resolve("rootfs/bin/sh"));
      sh.toFile().setExecutable(true);
      io.jrunc.spec.Spec spec = io.jrunc.spec.DefaultSpecs.runcDefault();
      spec = spec.withProcess(spec.process().withTerminal(false));
      if (Boolean.TRUE.equals(io.jrunc.core.api.host.HostProbes.seccomp().enabled())) {
        spec = spec.withLinux(spec.linux().withSeccomp(ENGINE_LIKE_SECCOMP));
      }
      Files.writeString(ctr.resolve("config.json"), io.jrunc.spec.Json.writePretty(spec));
      // the CLI's create up to the config (a bundle without config.json), then the planner
      Main.execute(List.of("--root", root, "create", "--bundle", tmp.resolve("no-bundle").toString(), "jrunc-aot-plan"));
      try {
        io.jrunc.core.api.ContainerRuntime.open(Path.of(root))
            .plan("jrunc-aot-plan", io.jrunc.core.api.CreateOptions.bundle(ctr));
      } catch (io.jrunc.core.api.ContainerException e) {
        // a host without cgroup mounts (a build container) cannot plan: a note, not a failed
        // build, as the cache only misses the planner's classes then
        STDERR.println("jrunc AOT training: plan (not trained): " + e.getMessage());
      }
      if (canRunContainers()) {
        failures += realLifecycle(tmp, root);
      } else {
        // said, not silent: without them those commands run on the full cache, and a cold
        // state, start, kill or delete took 2-3x the hello-world floor instead of ~1.2x (round 19)
        STDERR.println("jrunc AOT training: warning: the own caches of the container commands (state,"
            + " start, kill, delete, create, run, exec, ps and the like) need real containers (root and " + BUSYBOX + "): not made, so those"
            + " commands start slower; build as root with busybox-static installed to make them");
      }
    } finally {
      System.setOut(out);
      System.setErr(err);
      // plain recursion, no streams or lambdas: whatever this run loads lands in the cache
      deleteTree(tmp.toFile());
    }
    System.exit(failures);
  }

  /** Real containers need root and a static busybox to make a rootfs of (as scripts/make-bundle.sh). */
  private static boolean canRunContainers() throws IOException {
    if (!new java.io.File(BUSYBOX).canExecute()) {
      return false;
    }
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Uid:")) {
        return line.split("\\s+")[2].equals("0"); // the effective uid
      }
    }
    return false;
  }

  /**
   * Every call an engine makes, on a real busybox container, so that the classes of the real
   * paths (clone, cgroups, mounts, the wait, exec's join) are in the cache and not only the
   * error paths: what the error paths miss is loaded from the jar on every call. The containers
   * run {@code sleep} and {@code true} under a cgroup parent of this run's own, removed at the
   * end like every container. {@code events --stats} is left out like {@code validate}: it
   * encodes the stats with jackson-databind (~370 classes), which in the cache cost every
   * command's start-up (measured: --version +8 ms wall, 3036 instead of 2205 classes mapped);
   * it shares one with ps and the like now ({@link #adminCaches}), and writes its JSON by hand.
   * Returns the number of calls that failed (the build then fails: a
   * training that silently stopped covering a path would only show as a slower jrunc).
   */
  private static int realLifecycle(Path tmp, String root) throws IOException {
    String parent = "jrunc-aot-training-" + ProcessHandle.current().pid();
    Path bundle = tmp.resolve("busybox");
    Path rootfs = bundle.resolve("rootfs");
    for (String d : new String[] {"bin", "proc", "sys", "dev", "tmp", "etc", "root"}) {
      Files.createDirectories(rootfs.resolve(d));
    }
    Files.copy(Path.of(BUSYBOX), rootfs.resolve("bin/busybox"));
    for (String applet : new String[] {"sh", "sleep", "true"}) {
      Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
    }
    Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\n");
    io.jrunc.spec.Spec spec = io.jrunc.spec.DefaultSpecs.runcDefault();
    spec = spec.withProcess(spec.process().withTerminal(false).withArgs(List.of("sleep", "60")));
    spec = spec.withLinux(spec.linux().withCgroupsPath("/" + parent + "/sleeper"));
    Files.writeString(bundle.resolve("config.json"), io.jrunc.spec.Json.writePretty(spec));
    Path once = tmp.resolve("once");
    Files.createDirectories(once);
    Files.createSymbolicLink(once.resolve("rootfs"), rootfs);
    spec = spec.withProcess(spec.process().withArgs(List.of("true")));
    spec = spec.withLinux(spec.linux().withCgroupsPath("/" + parent + "/once"));
    Files.writeString(once.resolve("config.json"), io.jrunc.spec.Json.writePretty(spec));
    Path processJson = tmp.resolve("process.json");
    Files.writeString(processJson, io.jrunc.spec.Json.writePretty(spec.process()));
    String id = parent + "-sleeper";
    String b = bundle.toString();
    List<List<String>> runs =
        List.of(
            List.of("--root", root, "create", "--bundle", b, "--pid-file",
                tmp.resolve("pid").toString(), id),
            List.of("--root", root, "state", id),
            List.of("--root", root, "start", id),
            List.of("--root", root, "state", id),
            List.of("--root", root, "exec", id, "true"),
            // engines exec with --process: the process.json path of the validator and codec
            List.of("--root", root, "exec", "--process", processJson.toString(), id),
            // one that fails in the container (its cwd is not there; "!": expected to fail): its
            // error's classes (the errno's name, the failure's translation) in the cache, not
            // read from the jar (~5 ms; with no descriptor left, NoClassDefFoundError)
            List.of("!", "--root", root, "exec", "--cwd", "/no/such/dir", id, "true"),
            List.of("--root", root, "ps", "--format", "json", id),
            List.of("--root", root, "ps", id),
            List.of("--root", root, "list"),
            List.of("--root", root, "list", "--format", "json"),
            List.of("--root", root, "pause", id),
            List.of("--root", root, "resume", id),
            List.of("--root", root, "kill", id, "TERM"),
            List.of("--root", root, "kill", id, "KILL"),
            List.of("--root", root, "delete", "--force", id),
            List.of("--root", root, "run", "--bundle", once.toString(), parent + "-once"));
    int failures = 0;
    try {
      for (List<String> run : runs) {
        boolean mayFail = run.get(0).equals("!");
        int code = Main.execute(asMainGetsThem(mayFail ? run.subList(1, run.size()) : run));
        if (code != 0 && !mayFail) {
          failures++;
          System.setErr(STDERR);
          System.err.println("jrunc AOT training: " + String.join(" ", run) + " exited " + code);
        }
      }
      failures += consoleSocketCreate(tmp, root, rootfs, parent);
      failures += commandCaches(tmp, root, bundle, parent);
    } finally {
      Main.execute(List.of("--root", root, "delete", "--force", parent + "-tty"));
      Main.execute(List.of("--root", root, "delete", "--force", id));
      Main.execute(List.of("--root", root, "delete", "--force", parent + "-once"));
      Main.execute(List.of("--root", root, "delete", "--force", parent + "-c1"));
      Main.execute(List.of("--root", root, "delete", "--force", parent + "-c2"));
      Main.execute(List.of("--root", root, "delete", "--force", parent + "-c3"));
      Main.execute(List.of("--root", root, "delete", "--force", parent + "-c4"));
      Main.execute(List.of("--root", root, "delete", "--force", parent + "-c5"));
      Main.execute(List.of("--root", root, "delete", "--force", parent + "-run"));
      java.io.File[] hierarchies = new java.io.File("/sys/fs/cgroup").listFiles();
      if (hierarchies != null) {
        for (java.io.File h : hierarchies) {
          new java.io.File(h, parent).delete(); // rmdir; the leaves went with delete
        }
      }
      new java.io.File("/sys/fs/cgroup/" + parent).delete(); // cgroup v2 unified
    }
    return failures;
  }

  /**
   * create with {@code --console-socket} of a container with a terminal, as engines create one
   * for {@code docker run -t} or {@code podman run -t}: the pty, socket and SCM_RIGHTS classes
   * were read from the jar on each such create (6 classes). Returns 1 if the create failed.
   */
  private static int consoleSocketCreate(Path tmp, String root, Path rootfs, String parent)
      throws IOException {
    Path tty = ttyBundle(tmp, rootfs, parent, "tty");
    String socket = tmp.resolve("console.sock").toString();
    Path log = tmp.resolve("tty.log");
    try (ConsolePeer peer = new ConsolePeer(socket)) {
      int failed = step(List.of("--log", log.toString(), "--root", root, "create", "--bundle", tty.toString(),
          "--console-socket", socket, parent + "-tty"));
      if (failed != 0 && Files.exists(log)) STDERR.println("jrunc AOT training: " + Files.readString(log).strip());
      return failed;
    }
  }

  /**
   * A bundle that fails after its state directory and cgroup are made: the process runs as uid
   * 1000 without HOME, and its image's /etc/passwd, where the init program's compile looks HOME
   * up, is a directory. The classes of that failure and of its undo (the error's translation,
   * the cgroup's removal) are then in the create and run caches: read from the jar instead,
   * each such failure cost ~5 ms, and with no file descriptor left (EMFILE) the undo itself
   * failed with NoClassDefFoundError and left a container "creating". Its own rootfs: bin/sleep
   * a hard link to the busybox of {@code base} (a copy where hard links are refused).
   */
  private static Path lateFailureBundle(Path tmp, Path base, String parent) throws IOException {
    Path late = tmp.resolve("late");
    Files.createDirectories(late.resolve("rootfs/bin"));
    Files.createDirectories(late.resolve("rootfs/etc/passwd"));
    for (String d : List.of("proc", "dev", "sys", "tmp")) Files.createDirectories(late.resolve("rootfs").resolve(d));
    try {
      Files.createLink(late.resolve("rootfs/bin/sleep"), base.resolve("bin/busybox"));
    } catch (IOException | UnsupportedOperationException e) {
      Files.copy(base.resolve("bin/busybox"), late.resolve("rootfs/bin/sleep")); // no hard links here
    }
    io.jrunc.spec.Spec spec = io.jrunc.spec.DefaultSpecs.runcDefault();
    spec = spec.withProcess(spec.process().withTerminal(false).withArgs(List.of("sleep", "60"))
        .withUser(new io.jrunc.spec.User(1000L, 1000L, null, null, null)));
    spec = spec.withLinux(spec.linux().withCgroupsPath("/" + parent + "/late"));
    Files.writeString(late.resolve("config.json"), io.jrunc.spec.Json.writePretty(spec));
    return late;
  }

  /**
   * A bundle whose init fails in the container's setup, after it was spawned: a bind mount of a
   * source that does not exist. Its error (a failed step with its errno's name) and the undo of
   * a spawned init (killed, waited for, its cgroup removed) are then in the create and run caches.
   */
  private static Path childFailureBundle(Path tmp, Path rootfs, String parent) throws IOException {
    Path b = tmp.resolve("child-failure");
    Files.createDirectories(b);
    Files.createSymbolicLink(b.resolve("rootfs"), rootfs.toAbsolutePath());
    io.jrunc.spec.Spec spec = io.jrunc.spec.DefaultSpecs.runcDefault();
    List<io.jrunc.spec.Mount> mounts = new java.util.ArrayList<>(spec.mounts());
    mounts.add(new io.jrunc.spec.Mount("/mnt", "bind", tmp.resolve("no-such-source").toString(), List.of("bind"), null, null));
    spec = spec.withMounts(mounts).withProcess(spec.process().withTerminal(false).withArgs(List.of("sleep", "60")));
    spec = spec.withLinux(spec.linux().withCgroupsPath("/" + parent + "/child-failure"));
    Files.writeString(b.resolve("config.json"), io.jrunc.spec.Json.writePretty(spec));
    return b;
  }

  /** A bundle {@code name} over {@code rootfs} whose process has a terminal, in a cgroup of that name. */
  private static Path ttyBundle(Path tmp, Path rootfs, String parent, String name) throws IOException {
    Path tty = tmp.resolve(name);
    Files.createDirectories(tty);
    Files.createSymbolicLink(tty.resolve("rootfs"), rootfs.toAbsolutePath());
    io.jrunc.spec.Spec spec = io.jrunc.spec.DefaultSpecs.runcDefault();
    spec = spec.withProcess(spec.process().withTerminal(true).withArgs(List.of("sleep", "60")));
    spec = spec.withLinux(spec.linux().withCgroupsPath("/" + parent + "/" + name));
    Files.writeString(tty.resolve("config.json"), io.jrunc.spec.Json.writePretty(spec));
    return tty;
  }

  /**
   * The engine's end of a console socket, through the JDK's own UNIX-domain sockets (the CLI
   * uses only core's exported API): a thread accepts the connection and keeps it open, unread,
   * until closed. The pty master the create sends waits in the socket meanwhile, so it stays
   * open as an engine keeps it (closed at once, the child's TIOCSCTTY would meet a hung-up
   * terminal: EIO); closing the connection drops it. The create may run in this JVM or in a
   * training JVM.
   */
  private static final class ConsolePeer implements AutoCloseable {
    private final java.nio.channels.ServerSocketChannel listener;
    private final java.nio.channels.SocketChannel[] conn = {null};
    private final Thread thread;

    ConsolePeer(String socket) throws IOException {
      listener = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
      listener.bind(java.net.UnixDomainSocketAddress.of(socket));
      thread = new Thread(() -> {
        try {
          conn[0] = listener.accept();
        } catch (IOException e) {
          // closed before a create connected: the create reports its own failure
        }
      }, "aot-console-socket");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws IOException {
      listener.close();
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (conn[0] != null) conn[0].close();
    }
  }

  /**
   * The own caches of {@code start}, {@code state}, {@code kill}, {@code delete}, {@code create},
   * {@code run}, {@code exec} and the one {@code ps}, {@code list}, {@code pause},
   * {@code resume}, {@code update} and {@code events} share (see
   * {@link CommandAotTraining}): each is one JVM that runs only its command, started through the
   * launcher (so with its very flags) with {@code JRUNC_AOT_TRAIN_COMMAND}, on a container this
   * JVM has put in the state engines call it in: {@code start} a created one, {@code state} and
   * {@code kill} (WINCH, TERM, TERM to all through the freezer, then KILL) a running one, {@code delete}
   * a stopped one and, with {@code --force}, a running one; each also on a missing container;
   * {@code create} and {@code run} also two that fail late. The launcher's path comes
   * from {@code JRUNC_LAUNCHER} (bin/jrunc sets it when training); without it the commands keep
   * using the full cache. Returns the number of steps that failed.
   */
  private static int commandCaches(Path tmp, String root, Path bundle, String parent)
      throws IOException {
    String launcher = System.getenv("JRUNC_LAUNCHER");
    if (launcher == null || launcher.isEmpty()) {
      return 0;
    }
    // a second bundle over the same rootfs, in a cgroup of its own, for the running container
    // that delete --force removes while the first one is stopped
    Path second = tmp.resolve("second");
    Files.createDirectories(second);
    Files.createSymbolicLink(second.resolve("rootfs"), bundle.resolve("rootfs").toAbsolutePath());
    Files.writeString(
        second.resolve("config.json"),
        Files.readString(bundle.resolve("config.json"))
            .replace("/" + parent + "/sleeper", "/" + parent + "/second"));
    String c1 = parent + "-c1";
    String c2 = parent + "-c2";
    String missing = parent + "-missing";
    int failures = 0;
    failures += step(List.of("--root", root, "create", "--bundle", bundle.toString(), c1));
    failures += train(launcher, "start", root, List.of("start", c1), List.of("start", missing));
    failures += train(launcher, "state", root, List.of("state", c1), List.of("state", missing));
    failures += execCache(launcher, tmp, root, c1, missing);
    failures += adminCaches(launcher, tmp, root, c1, missing);
    // WINCH (sleep ignores it): any signal but TERM and KILL takes InitSignals' pidfd path, whose
    // FFM classes a kill cache without them read from the jar (~100: kill WINCH took 33 ms more
    // than --version, now 12); engines send an image's stop signal so (nginx: QUIT, postgres: INT)
    failures += train(launcher, "kill", root,
        List.of("kill", c1, "WINCH"), List.of("kill", c1, "TERM"), List.of("kill", "--all", c1, "TERM"),
        List.of("kill", c1, "KILL"),
        List.of("kill", missing, "KILL"));
    failures += awaitStopped(root, c1);
    failures += step(List.of("--root", root, "create", "--bundle", second.toString(), c2));
    failures += step(List.of("--root", root, "start", c2));
    failures += train(launcher, "delete", root,
        List.of("delete", c1), List.of("delete", "--force", c2), List.of("delete", missing));
    // create and run, the commands containers are started with: with the full cache they loaded
    // ~2320 classes at start-up, ~400 of them other commands' (create: -27 ms wall, -8 ms CPU
    // measured with its own); each also with a bundle that is not there
    String bad = tmp.resolve("no-such-bundle").toString();
    // and as engines create: with their seccomp profile (docker, podman and containerd pass one;
    // never started here, so its deny-by-default does not matter) and with a terminal
    Path secc = tmp.resolve("seccomp");
    Files.createDirectories(secc);
    Files.createSymbolicLink(secc.resolve("rootfs"), bundle.resolve("rootfs").toAbsolutePath());
    io.jrunc.spec.Spec s = io.jrunc.spec.Json.read(Files.readAllBytes(bundle.resolve("config.json")), io.jrunc.spec.Spec.class);
    s = s.withLinux(s.linux().withCgroupsPath("/" + parent + "/seccomp"));
    if (Boolean.TRUE.equals(io.jrunc.core.api.host.HostProbes.seccomp().enabled())) s = s.withLinux(s.linux().withSeccomp(ENGINE_LIKE_SECCOMP));
    Files.writeString(secc.resolve("config.json"), io.jrunc.spec.Json.writePretty(s));
    Path tty = ttyBundle(tmp, bundle.resolve("rootfs"), parent, "tty-c5");
    String socket = tmp.resolve("console-c5.sock").toString();
    String late = lateFailureBundle(tmp, bundle.resolve("rootfs"), parent).toString();
    String inChild = childFailureBundle(tmp, bundle.resolve("rootfs"), parent).toString();
    try (ConsolePeer peer = new ConsolePeer(socket)) {
      failures += train(launcher, "create", root, List.of("create", "--bundle", bundle.toString(), parent + "-c3"),
          List.of("create", "--bundle", secc.toString(), parent + "-c4"),
          List.of("create", "--bundle", tty.toString(), "--console-socket", socket, parent + "-c5"),
          List.of("!", "create", "--bundle", late, parent + "-late"),
          List.of("!", "create", "--bundle", inChild, parent + "-child"),
          List.of("create", "--bundle", bad, missing));
    }
    for (String c : new String[] {"-c3", "-c4", "-c5"}) {
      failures += step(List.of("--root", root, "delete", "--force", parent + c));
    }
    failures += train(launcher, "run", root, List.of("run", "--bundle", tmp.resolve("once").toString(), parent + "-run"),
        List.of("!", "run", "--bundle", late, parent + "-late"), List.of("!", "run", "--bundle", inChild, parent + "-child"),
        List.of("run", "--bundle", bad, missing));
    return failures;
  }

  /**
   * exec's own cache, on the running {@code c1}: as containerd's shim and conmon exec
   * ({@code --process FILE --detach --pid-file}, with a terminal through a console socket), as
   * CRI-O and people do in the foreground (also with a terminal, {@code --preserve-fds}), two
   * that fail in the container (no such cwd, no such program) and one on a missing container.
   * With the full cache an {@code exec} mapped 1979 classes, with its own 1396.
   */
  private static int execCache(String launcher, Path tmp, String root, String c1, String missing)
      throws IOException {
    io.jrunc.spec.Process plain = io.jrunc.spec.DefaultSpecs.runcDefault().process().withTerminal(false)
        .withArgs(List.of("true"));
    Path plainJson = tmp.resolve("exec-process.json");
    Files.writeString(plainJson, io.jrunc.spec.Json.writePretty(plain));
    Path ttyJson = tmp.resolve("exec-tty-process.json");
    Files.writeString(ttyJson, io.jrunc.spec.Json.writePretty(plain.withTerminal(true)));
    String pid = tmp.resolve("exec.pid").toString();
    String socket = tmp.resolve("console-exec.sock").toString();
    try (ConsolePeer peer = new ConsolePeer(socket)) {
      return train(launcher, "exec", root,
          List.of("exec", "--process", plainJson.toString(), "--detach", "--pid-file", pid, c1),
          List.of("exec", "--process", ttyJson.toString(), "--console-socket", socket, "--detach", "--pid-file", pid, c1),
          List.of("exec", c1, "true"),
          List.of("exec", "-t", "--preserve-fds", "0", c1, "true"),
          List.of("!", "exec", "--cwd", "/no/such/dir", c1, "true"),
          List.of("!", "exec", c1, "/no/such/program"),
          List.of("exec", missing, "true"));
    }
  }

  /**
   * The cache {@code ps}, {@code list}, {@code pause}, {@code resume}, {@code update} and
   * {@code events} share ({@code jrunc-admin.aot}: containerd's shim runs {@code ps --format
   * json} for a task's pids, {@code update --resources} for a resize, Docker pauses), on the
   * running {@code c1} and a missing container. With the full cache each mapped its ~2000
   * classes, and {@code events --stats} read ~650 more from the jar (its jackson-databind, which
   * StatsJson replaced).
   */
  private static int adminCaches(String launcher, Path tmp, String root, String c1, String missing)
      throws IOException {
    Path resources = tmp.resolve("update-resources.json");
    Files.writeString(resources, "{\"pids\":{\"limit\":1000},\"memory\":{\"limit\":268435456}}");
    // ("!": may fail. A host without a memory controller refuses the updates' limit after they
    // are parsed and planned, and a stats file may be missing: the build goes on, as it would
    // not if these were required; pause and resume are required in the full training already)
    return train(launcher, "admin", root,
            List.of("ps", "--format", "json", c1), List.of("ps", c1), List.of("list"),
            List.of("list", "--format", "json"), List.of("list", "-q"), List.of("pause", c1),
            List.of("resume", c1), List.of("!", "update", "--resources", resources.toString(), c1),
            List.of("!", "update", "--pids-limit", "1000", "--memory", "256M", c1),
            List.of("!", "events", "--stats", c1), List.of("!", "pause", missing),
            List.of("!", "events", "--stats", missing), List.of("ps", missing));
  }

  /**
   * Engines run jrunc with little more than PATH: no LANG, so the JVM's stdout encoding is
   * ANSI_X3.4-1968 (US-ASCII), found through the charset aliases. The build's locale may be
   * another: the JVM of an engine's call then read 6 classes (the alias map, the ASCII encoder)
   * from the JDK's modules, outside the cache. Load them here too.
   */
  static void plainLocale() {
    java.nio.charset.Charset.forName("ANSI_X3.4-1968").newEncoder();
  }

  /**
   * A ConcurrentHashMap updated by two threads at once (the link or compile thread and the
   * main one, in the JDK's own tables) probes ThreadLocalRandom; whether a training run met
   * that race was luck, and a call that did read ThreadLocalRandom, RandomSupport, Random and
   * RandomGenerator from the JDK's modules (the build's smoke check caught it for create).
   * Loaded here in every training, so it is never luck.
   */
  static void contendedMaps() {
    java.util.concurrent.ThreadLocalRandom.current().nextInt();
  }

  /**
   * The arguments as {@link Main#main} passes them ({@code Arrays.asList}): a {@code List.of}
   * takes other classes through the argument parser ({@code subList}), and the real call then
   * loaded {@code AbstractList$SubList} and its kin from the JDK's modules, outside the cache.
   */
  private static List<String> asMainGetsThem(List<String> run) {
    return java.util.Arrays.asList(run.toArray(new String[0]));
  }

  /** One setup call in this JVM (its classes belong in the full cache anyway). */
  private static int step(List<String> run) {
    int code = Main.execute(asMainGetsThem(run));
    if (code != 0) {
      System.setErr(STDERR);
      System.err.println("jrunc AOT training: " + String.join(" ", run) + " exited " + code);
      return 1;
    }
    return 0;
  }

  /**
   * Runs {@link CommandAotTraining} for COMMAND through the launcher: the given calls (under
   * --root) must succeed, the last one is on a missing container and may fail.
   */
  @SafeVarargs
  private static int train(String launcher, String command, String root, List<String>... calls) {
    List<String> argv = new java.util.ArrayList<>();
    argv.add(launcher);
    argv.add(command); // CommandAotTraining's first argument
    for (int i = 0; i < calls.length; i++) {
      if (i > 0) {
        argv.add("+");
      }
      List<String> call = calls[i];
      boolean mayFail = !call.isEmpty() && call.get(0).equals("!");
      if (mayFail) call = call.subList(1, call.size());
      if (mayFail || i == calls.length - 1) {
        argv.add("!");
      }
      argv.add("--root");
      argv.add(root);
      argv.addAll(call);
    }
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().remove("JRUNC_AOT_TRAIN");
    pb.environment().put("JRUNC_AOT_TRAIN_COMMAND", command);
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    try {
      int code = pb.start().waitFor();
      if (code != 0) {
        STDERR.println("jrunc AOT training: the " + command + " cache's run exited " + code);
        return 1;
      }
      return 0;
    } catch (IOException | InterruptedException e) {
      STDERR.println("jrunc AOT training: the " + command + " cache's run: " + e);
      return 1;
    }
  }

  /** kill only sends the signal: delete (not forced) needs the container stopped. */
  private static int awaitStopped(String root, String id) {
    io.jrunc.core.api.ContainerRuntime rt = io.jrunc.core.api.ContainerRuntime.open(Path.of(root));
    for (int i = 0; i < 500; i++) {
      try {
        if (rt.state(id).status().equals("stopped")) {
          return 0;
        }
        Thread.sleep(10);
      } catch (io.jrunc.core.api.ContainerException | InterruptedException e) {
        break;
      }
    }
    STDERR.println("jrunc AOT training: " + id + " did not stop after kill KILL");
    return 1;
  }

  private static final String BUSYBOX = "/bin/busybox";

  /**
   * A seccomp profile shaped like the engines' (docker, podman, containerd pass one with every
   * container): deny by default, three architectures, an allow list with an i386-only name
   * (resolved per architecture), a rule with an argument. Planning compiles it, so libseccomp's
   * calls, the ENOSYS prologue and the BPF export are in the cache (measured: 13 classes read
   * from the jar and 4 from the JDK's modules on each create with podman's profile otherwise).
   */
  private static final io.jrunc.spec.LinuxSeccomp ENGINE_LIKE_SECCOMP = new io.jrunc.spec.LinuxSeccomp(
      "SCMP_ACT_ERRNO", 1L, List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), null, null, null,
      List.of(
          new io.jrunc.spec.LinuxSyscall(List.of("read", "write", "exit_group", "socketcall"), "SCMP_ACT_ALLOW", null, null),
          new io.jrunc.spec.LinuxSyscall(List.of("personality"), "SCMP_ACT_ALLOW", null,
              List.of(new io.jrunc.spec.LinuxSeccompArg(0L, 0L, null, "SCMP_CMP_EQ")))));
  private static final PrintStream STDERR = System.err;

  private static void deleteTree(java.io.File f) {
    java.io.File[] children = f.listFiles();
    if (children != null) {
      for (java.io.File c : children) {
        deleteTree(c);
      }
    }
    f.delete();
  }
}
