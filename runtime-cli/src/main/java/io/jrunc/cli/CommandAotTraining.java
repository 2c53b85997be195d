package io.jrunc.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The training JVM of one container command's own AOT cache ({@code jrunc-state.aot},
 * {@code jrunc-kill.aot}, {@code jrunc-start.aot}, {@code jrunc-delete.aot}, {@code jrunc-create.aot},
 * {@code jrunc-run.aot}, {@code jrunc-exec.aot}, {@code jrunc-admin.aot}):
 * bin/jrunc runs it
 * with {@code -XX:AOTCacheOutput} when {@code JRUNC_AOT_TRAIN_COMMAND} names the command, and
 * {@link AotTraining} starts it that way on a real container it has put in the right state
 * (created for {@code start}, running for {@code state} and {@code kill}, ...). The JVM loads
 * every class of its cache at start-up (JEP 483): with the full cache (~2300 classes of create,
 * exec, run, ...) these small commands spent ~36 ms before {@code Main}, with their own only
 * what they use.
 *
 * <p>Arguments: the command whose cache this is, then command lines separated by a lone
 * {@code +} (no jrunc argument is {@code +}), each run as {@link Main#execute} runs it; their
 * output is discarded. (The command comes as an argument, not from the environment: a
 * {@code System.getenv} here put the JDK's environment classes, ~7, in every command's cache,
 * and so in every call's start-up.) Exit status: the number
 * of calls that failed, except those the caller expects to fail (a trailing call on a missing
 * container trains the "does not exist" path engines hit when cleaning up), which are marked by
 * a leading {@code !}.
 */
public final class CommandAotTraining {
  private CommandAotTraining() {}

  public static void main(String[] args) {
    String command = args.length > 0 ? args[0] : "";
    // ThreadLocalRandom, as AotTraining.contendedMaps (not called: that class's initialisation
    // would bring the full training's classes into this small cache)
    engineEnvironment();
    java.util.concurrent.ThreadLocalRandom.current().nextInt();
    // create, run and exec, which always make system calls through FFM: the cache keeps the
    // LambdaForms of the JDK's FFM initialisation (NativeAccess.seedAotCache). state, start and
    // delete make none, nor does kill of TERM or KILL, so theirs stay without (a kill of another
    // signal, which does link, measured the same with them: 81-85 ms either way, 60 runs)
    if (command.equals("create") || command.equals("run") || command.equals("exec")) {
      io.jrunc.core.api.host.NativeAccess.seedAotCache();
    }
    // delete: not PopulatedWatch's WatchService (~25 classes every delete would load at start):
    // its wait opens one only for a cgroup still not empty after 10 ms of polling (Signals)
    if (command.equals("delete")) loadOnly(LAYOUT_DEPENDENT_DELETE);
    if (command.equals("exec")) loadOnly(IMAGE_DEPENDENT_EXEC);
    PrintStream err = System.err;
    PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
    int failures = 0;
    List<String> call = new ArrayList<>();
    for (int i = 1; i <= args.length; i++) {
      if (i < args.length && !args[i].equals("+")) {
        call.add(args[i]);
        continue;
      }
      boolean mayFail = !call.isEmpty() && call.get(0).equals("!");
      List<String> run = mayFail ? call.subList(1, call.size()) : call;
      System.setOut(sink);
      System.setErr(sink);
      // as Main.main passes them (Arrays.asList): the list classes its parsing then uses are
      // the ones a real call loads, so they are in the cache too
      int code = Main.execute(java.util.Arrays.asList(run.toArray(new String[0])));
      System.setErr(err);
      if (code != 0 && !mayFail) {
        failures++;
        err.println("jrunc AOT training: " + String.join(" ", run) + " exited " + code);
      }
      call = new ArrayList<>();
    }
    System.out.flush();
    Runtime.getRuntime().halt(failures);
  }

  /**
   * Classes {@code delete --force} uses on a cgroup layout other than the training host's: on
   * pure v1 (no cgroup.kill) init of a pid namespace of its own is killed through
   * {@code InitSignals} and the freezer is written through {@code Write}. A class missing from
   * the cache is read from the jar, whose opening (its ~2200-entry central directory) costs
   * ~4-5 ms of the call that needs it.
   */
  static final List<String> LAYOUT_DEPENDENT_DELETE =
      List.of("io.jrunc.core.container.InitSignals", "io.jrunc.core.cgroup.Write");

  /**
   * Classes exec uses on an image other than the training's: without an /etc/passwd, the HOME
   * lookup's missing file is matched against its handlers, which loads the refusal's class
   * ({@code ProcessEnv.homeOf}; the training's image has one).
   */
  static final List<String> IMAGE_DEPENDENT_EXEC = List.of("io.jrunc.core.sys.BoundedFile$RefusedException");

  /**
   * What a call in an engine's environment (PATH alone, no LANG) loads that a training writing
   * to a sink under the build's locale would not: the US-ASCII stdout encoder, found through the
   * charset aliases (as AotTraining.plainLocale), and Blocker, loaded by the first write to the
   * real stdout. Without them each such call read 6-16 classes from the JDK's modules.
   */
  static void engineEnvironment() {
    java.nio.charset.Charset.forName("ANSI_X3.4-1968").newEncoder();
    loadOnly(List.of("jdk.internal.misc.Blocker"));
  }

  /** Loads (without initialising) each named class, so that it is in the cache being trained. */
  static void loadOnly(List<String> names) {
    for (String n : names) {
      try {
        Class.forName(n, false, CommandAotTraining.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        System.err.println("jrunc AOT training: no class " + n);
        Runtime.getRuntime().halt(1);
      }
    }
  }
}
