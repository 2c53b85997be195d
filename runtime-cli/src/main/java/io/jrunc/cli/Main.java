package io.jrunc.cli;

import io.jrunc.cli.args.ArgParser;
import io.jrunc.cli.args.ParsedArgs;
import io.jrunc.cli.args.UsageException;
import io.jrunc.cli.command.Command;
import io.jrunc.cli.command.Commands;
import io.jrunc.cli.log.JruncLogging;
import io.jrunc.cli.log.JruncServiceProvider;
import io.jrunc.core.api.host.LoggerBinding;
import io.jrunc.core.api.host.NativeAccess;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * {@code jrunc [global options] command [command options] [arguments...]}.
 *
 * <p>Errors follow runc's {@code fatal()}: the message is logged once at error level (to the
 * {@code --log} file in the {@code --log-format}, or to stderr), and when the log does not go
 * to stderr the bare message is printed on stderr as well. Exit status 1 unless the failure
 * says otherwise.
 */
public final class Main {
  private Main() {}

  /**
   * The commands whose every run makes system calls through FFM: they start the JVM's first
   * downcall link on the second core at once ({@link NativeAccess#linkInBackground}), while this thread
   * parses, loads the logger, reads state and config. Not the commands that may make none
   * (kill and delete of a stopped container, state, start): the link would be wasted CPU.
   */
  private static final Set<String> LINKS_AHEAD = Set.of("create", "run", "exec");

  public static void main(String[] args) {
    int code = execute(Arrays.asList(args));
    System.out.flush();
    System.err.flush();
    // halt, not exit: System.exit logs the exit through System.Logger (JDK 17+), which starts
    // java.util.logging on every call; jrunc registers no shutdown hooks, its streams are
    // flushed above and log lines are written synchronously.
    Runtime.getRuntime().halt(code);
  }

  /** Runs one command line; returns the exit status. Never throws. */
  public static int execute(List<String> args) {
    // Name our provider so SLF4J skips its service-loader scan of the class path (start-up),
    // and keep SLF4J's own informational notes ("Attempting to load provider ...") off stderr:
    // engines expect exactly one error line from a failing command. Not when bin/jrunc put the
    // jar on the boot class path: SLF4J loads a named provider through its own class loader,
    // null there (a NullPointerException, and every logger call then fails); its scan finds
    // the provider in the jar's META-INF/services, only when something logs.
    if (System.getProperty("slf4j.provider") == null && Main.class.getClassLoader() != null) {
      System.setProperty("slf4j.provider", JruncServiceProvider.class.getName());
    }
    // runtime-core's loggers straight from ours, on either path, without SLF4J's lookup
    LoggerBinding.use(JruncLogging.factory());
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "WARN");
    }
    boolean debug = false;
    try {
      ParsedArgs g = ArgParser.parse(GlobalOptions.FLAGS, args, 0);
      if (!g.positionals().isEmpty() && LINKS_AHEAD.contains(g.positional(0))) {
        // before the link thread, the log file or anything else of ours takes an fd number
        if (InheritedFds.wanted(args)) InheritedFds.snapshot();
        NativeAccess.linkInBackground(!g.positional(0).equals("exec")); // create, run: a cgroup to make
      }
      GlobalOptions global = GlobalOptions.from(g);
      debug = global.debug();
      configureLogging(global);
      if (g.bool("version")) {
        System.out.print(Version.text());
        return 0;
      }
      if (g.helpRequested() || g.positionals().isEmpty()) {
        System.out.print(Help.app());
        return 0;
      }
      String name = g.positional(0);
      Command command = Commands.find(name);
      if (command == null) {
        throw new UsageException("No help topic for '" + name + "'");
      }
      List<String> rest = g.positionalsFrom(1);
      ParsedArgs a = ArgParser.parse(command.flags(), rest, command.stopParsingAfter());
      if (a.helpRequested()) {
        System.out.print(Help.command(command));
        if (command.unsupported() != null) {
          throw new CliException(command.unsupported());
        }
        return 0;
      }
      if (debug) {
        log().debug("jrunc {} {}", name, rest);
      }
      return command.run(a, global);
    } catch (CliException e) {
      return fatal(e.getMessage(), e.exitCode(), debug ? e : null);
    } catch (RuntimeException | Error e) {
      // Not a bug: the machine's limits (a thread or a heap that could not be had; the JVM's
      // words say which, e.g. "unable to create native thread: possibly out of memory or
      // process/resource limits reached"). One line, as runc's "resource temporarily unavailable".
      String resources = outOfResources(e);
      if (resources != null) return fatal("out of resources: " + resources, 1, debug ? e : null);
      // A bug, not a user error: still one line, with the stack trace only under --debug.
      return fatal("internal error: " + e, 1, debug ? e : null);
    }
  }

  /**
   * The JVM's words when {@code e} is an OutOfMemoryError or comes from one, including one thrown
   * earlier in a class's initialisation; else null. A JDK class that starts a thread as it
   * initialises (the Cleaner's) fails so under a pids limit, on whichever thread used it first;
   * every later use of that class gets a NoClassDefFoundError that carries the first failure only
   * as the text of an ExceptionInInitializerError ("Exception java.lang.OutOfMemoryError: unable
   * to create native thread: ... [in thread "jrunc-link"]").
   */
  static String outOfResources(Throwable e) {
    String prefix = "Exception " + OutOfMemoryError.class.getName() + ": ";
    Throwable t = e;
    for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
      if (t instanceof OutOfMemoryError) return t.getMessage();
      String m = t.getMessage();
      if (t instanceof ExceptionInInitializerError && m != null && m.startsWith(prefix)) {
        int in = m.lastIndexOf(" [in thread ");
        return m.substring(prefix.length(), in > prefix.length() ? in : m.length());
      }
    }
    return null;
  }

  private static void configureLogging(GlobalOptions global) throws CliException {
    // Warnings reach a terminal as runc's do ("container's cgroup is not empty"); into an
    // engine's --log file only errors go by default: podman reads a failing command's log as
    // one JSON object, so an earlier warning line would hide the error from it.
    Level level = global.log() == null ? Level.WARN : Level.ERROR;
    if (global.debug()) {
      level = Level.DEBUG;
    } else if (global.logLevel() != null) {
      level =
          switch (global.logLevel()) {
            case "warning", "warn" -> Level.WARN;
            case "info" -> Level.INFO;
            case "debug" -> Level.DEBUG;
            case "trace" -> Level.TRACE;
            default -> Level.ERROR;
          };
    }
    try {
      JruncLogging.configure(level, global.logFormat(), global.log());
    } catch (IOException e) {
      // NIO's FileSystemException says only the path: the errno's words instead (runc's "open
      // /x/log: no such file or directory")
      String why = e instanceof java.nio.file.NoSuchFileException ? "no such file or directory (ENOENT)"
          : e instanceof java.nio.file.AccessDeniedException ? "permission denied (EACCES)"
          : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
          : e.getMessage() == null ? e.toString() : e.getMessage();
      throw new CliException("open log file " + global.log() + ": " + why, e);
    }
  }

  /**
   * runc's fatal(): one error record, plus the bare message on stderr if the log is a file. The
   * record is written by {@link JruncLogging#error} itself, the line SLF4J's logger would write:
   * engines delete and query containers that are gone all the time, and SLF4J's bootstrap (its
   * provider found by reflection, ~30 classes) was most of such a call's Java.
   */
  static int fatal(String message, int exitCode, Throwable debugCause) {
    JruncLogging.error(message);
    if (!JruncLogging.writesToStderr()) {
      System.err.println(message);
    }
    if (debugCause != null) {
      debugCause.printStackTrace(System.err);
    }
    return exitCode;
  }

  private static Logger log() {
    return JruncLogging.logger(Main.class);
  }
}
