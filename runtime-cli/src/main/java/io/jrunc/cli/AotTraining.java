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
 * for the sake of a rarely used one. {@code create} is trained in plan-only mode (see
 * {@code ContainerRuntime.AOT_PLAN_ONLY_PROPERTY}): it plans a container of runc's default spec over a
 * dummy rootfs and stops before making a cgroup or cloning, so no container ever starts on the
 * build machine.
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
      // create, planned only: the spec, security, cgroup layout, rootfs and program classes
      Path ctr = tmp.resolve("ctr");
      Files.createDirectories(ctr.resolve("rootfs/bin"));
      Path sh = Files.createFile(ctr.resolve("rootfs/bin/sh"));
      sh.toFile().setExecutable(true);
      io.jrunc.spec.Spec spec = io.jrunc.spec.DefaultSpecs.runcDefault();
      spec = spec.withProcess(spec.process().withTerminal(false));
      Files.writeString(ctr.resolve("config.json"), io.jrunc.spec.Json.writePretty(spec));
      System.setProperty(io.jrunc.core.api.ContainerRuntime.AOT_PLAN_ONLY_PROPERTY, "true");
      try {
        Main.execute(List.of("--root", root, "create", "--bundle", ctr.toString(), "jrunc-aot-plan"));
      } finally {
        System.clearProperty(io.jrunc.core.api.ContainerRuntime.AOT_PLAN_ONLY_PROPERTY);
      }
    } finally {
      System.setOut(out);
      System.setErr(err);
      // plain recursion, no streams or lambdas: whatever this run loads lands in the cache
      deleteTree(tmp.toFile());
    }
    System.exit(failures);
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
