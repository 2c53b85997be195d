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
 * for the sake of a rarely used one. Never train {@code create}/{@code run}: once wired they would set up a real
 * container on the build machine.
 *
 * <p>Engines call {@code state}, {@code start}, {@code kill} and {@code delete} on containers that
 * exist, and every such call reads state.json and config.json with jackson-databind (and
 * {@code state} writes the State JSON): ~500 classes and their record introspection that the
 * missing-container paths never load. Measured under podman: {@code state} of a real container
 * took 0.45 s of CPU with them left out of the cache. So the run also makes two fake
 * containers in its temporary root whose "init" is this JVM: one "stopped" (the recorded start
 * time does not match, so nothing is ever signalled; it is started, killed and deleted, which
 * fail or remove only its directory: its record has no cgroup and its config no hooks) and
 * one "running" that is only queried ({@code state}, {@code ps}: no cgroup, so an error).
 */
public final class AotTraining {
  private AotTraining() {}

  public static void main(String[] args) throws IOException {
    Path tmp = Files.createTempDirectory("jrunc-aot-");
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
        Main.execute(run);
      }
      // containers that exist (see the class comment); the config is the one `spec` wrote above
      io.jrunc.core.state.StateStore store = new io.jrunc.core.state.StateStore(Path.of(root));
      int self = (int) ProcessHandle.current().pid();
      long started = io.jrunc.core.state.ProcStat.startTime(self);
      String stopped = "jrunc-aot-training-stopped";
      String running = "jrunc-aot-training-running";
      fakeContainer(store, stopped, tmp, self, started - 1);
      fakeContainer(store, running, tmp, self, started);
      String log = tmp.resolve("log.json").toString();
      List<List<String>> existing =
          List.of(
              List.of("--root", root, "state", running),
              List.of("--root", root, "--log-format", "json", "--log", log, "state", stopped),
              List.of("--root", root, "ps", "--format", "json", running),
              List.of("--root", root, "start", stopped),
              List.of("--root", root, "kill", stopped, "9"),
              List.of("--root", root, "--log-format", "json", "--log", log, "delete", stopped));
      for (List<String> run : existing) {
        Main.execute(run);
      }
    } finally {
      System.setOut(out);
      System.setErr(err);
      // plain recursion, no streams or lambdas: whatever this run loads lands in the cache
      deleteTree(tmp.toFile());
    }
    System.exit(failures);
  }

  /** A container directory as create leaves it, for a "process" that is this JVM. */
  private static void fakeContainer(io.jrunc.core.state.StateStore store, String id, Path bundle, int pid,
      long startTime) throws IOException {
    store.claim(id);
    Files.copy(bundle.resolve("config.json"), store.dir(id).resolve("config.json"));
    store.writeRecord(new io.jrunc.core.state.ContainerRecord(id, bundle.toString(),
        bundle.resolve("rootfs").toString(), pid, startTime, "2025-01-01T00:00:00.000000000Z", "root",
        java.util.Map.of("org.opencontainers.image.stopSignal", "15"), "1.3.0", java.util.Map.of(), false,
        false, true));
  }

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
