package io.jrunc.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The training runs of the small AOT caches ({@code jrunc-COMMAND.aot}) that bin/jrunc uses
 * for the calls that touch no container: {@code version}, {@code help}, {@code spec} and
 * {@code features}, one cache each (the argument names it). The JVM loads every class of an AOT
 * cache at start-up (JEP 483): with the full cache ({@link AotTraining}, ~2300 classes of the
 * container paths) {@code --version} cost 43 ms of CPU, with one cache for all four 38, with its
 * own 28 (the hello-world floor: 27). Engines call {@code --version} and {@code features} to
 * probe a runtime. Everything happens in a temporary directory that is removed.
 */
public final class LightAotTraining {
  private LightAotTraining() {}

  /** The commands with a cache of their own. */
  static final List<String> COMMANDS = List.of("version", "help", "spec", "features");

  /**
   * A new directory under java.io.tmpdir, named from the clock. Not {@code
   * Files.createTempDirectory}: its SecureRandom (security providers, their properties file,
   * a digest, /dev/urandom; ~150 classes) landed in every small cache, and the JVM preloads
   * every class of its cache, so each {@code --version} loaded them for nothing. ({@link
   * AotTraining}'s full cache too.)
   */
  static Path tempDirectory(String prefix) throws IOException {
    Path base = Path.of(System.getProperty("java.io.tmpdir"));
    for (int i = 0; ; i++) {
      try {
        return Files.createDirectory(base.resolve(prefix + System.nanoTime()));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (i == 100) throw e; // (builds started together: another name on the next tick)
      }
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1 || !COMMANDS.contains(args[0])) {
      throw new IllegalArgumentException("usage: LightAotTraining " + String.join("|", COMMANDS));
    }
    Path tmp = tempDirectory("jrunc-aot-light-");
    CommandAotTraining.engineEnvironment();
    // features probes the host through FFM: the LambdaForms of the JDK's FFM set-up, as create's
    if (args[0].equals("features")) io.jrunc.core.api.host.NativeAccess.seedAotCache();
    PrintStream out = System.out;
    PrintStream err = System.err;
    try {
      PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
      System.setOut(sink);
      System.setErr(sink);
      String bundle = tmp.toString();
      Files.createDirectories(tmp.resolve("r"));
      // each also after global options with values (engines pass --root, --log, --log-format)
      String root = tmp.resolve("root").toString();
      List<List<String>> runs = switch (args[0]) {
        case "version" -> List.of(List.of("--version"), List.of("--root", root, "-v"));
        case "help" -> List.of(List.of("--help"), List.of("--root", root, "--log-format", "json"));
        case "spec" -> List.of(
            List.of("spec", "--bundle", bundle),
            List.of("--root", root, "spec", "--bundle", bundle), // the "exists" error path
            List.of("spec", "--rootless", "--bundle", tmp.resolve("r").toString()));
        default -> List.of(List.of("features"), List.of("--root", root, "--log-format", "json", "features"));
      };
      // as Main.main passes them (Arrays.asList): the list classes a real call loads
      for (List<String> run : runs) Main.execute(java.util.Arrays.asList(run.toArray(new String[0])));
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
