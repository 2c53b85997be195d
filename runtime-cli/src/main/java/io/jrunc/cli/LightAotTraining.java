package io.jrunc.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The training run of the second, small AOT cache ({@code jrunc-light.aot}) that bin/jrunc
 * uses for the commands that touch no container: {@code --version}, {@code --help},
 * {@code spec} and {@code features}. The JVM loads every class of an AOT cache at start-up
 * (JEP 483), and the full cache ({@link AotTraining}) holds ~2300 classes of the container
 * paths: {@code --version} cost 38 ms with it and 27 ms with this one (the hello-world floor:
 * 25 ms), {@code spec} 42 vs 38 ms. Engines call {@code --version} and {@code features} to
 * probe a runtime. Everything happens in a temporary directory that is removed.
 */
public final class LightAotTraining {
  private LightAotTraining() {}

  public static void main(String[] args) throws IOException {
    Path tmp = Files.createTempDirectory("jrunc-aot-light-");
    PrintStream out = System.out;
    PrintStream err = System.err;
    try {
      PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
      System.setOut(sink);
      System.setErr(sink);
      String bundle = tmp.toString();
      Files.createDirectories(tmp.resolve("r"));
      for (List<String> run : List.of(
          List.of("--version"),
          List.of("--help"),
          List.of("spec", "--bundle", bundle),
          List.of("spec", "--bundle", bundle), // the "exists" error path
          List.of("spec", "--rootless", "--bundle", tmp.resolve("r").toString()),
          List.of("features"))) {
        Main.execute(run);
      }
    } finally {
      System.setOut(out);
      System.setErr(err);
      // (no Files.walk: its stream classes would land in the cache and load on every call)
      Files.deleteIfExists(tmp.resolve("config.json"));
      Files.deleteIfExists(tmp.resolve("r/config.json"));
      Files.deleteIfExists(tmp.resolve("r"));
      Files.deleteIfExists(tmp);
    }
  }
}
