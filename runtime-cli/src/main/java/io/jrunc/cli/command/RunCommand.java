package io.jrunc.cli.command;

import io.jrunc.core.api.Container;
import io.jrunc.core.api.ContainerException;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.SetupException;
import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import io.jrunc.core.api.host.Terminal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** {@code jrunc run [options] <container-id>}: create and start, then wait unless detached. */
public final class RunCommand implements Command {
  static final List<Flag> FLAGS;

  static {
    List<Flag> f = new ArrayList<>(CreateCommand.FLAGS);
    f.add(Flag.bool("detach", "detach from the container's process", "d"));
    f.add(Flag.bool("keep", "do not delete the container after it exits"));
    f.add(Flag.bool("no-subreaper", "disable the use of the subreaper used to reap reparented processes"));
    FLAGS = List.copyOf(f);
  }

  /**
   * Typed options.
   *
   * @param create the options shared with create
   * @param detach {@code -d/--detach}
   * @param keep {@code --keep}
   * @param noSubreaper {@code --no-subreaper}
   */
  public record Options(
      CreateCommand.Options create, boolean detach, boolean keep, boolean noSubreaper) {
    public static Options of(ParsedArgs a) throws CliException {
      return new Options(
          CreateCommand.Options.of(a, "run"),
          a.bool("detach"),
          a.bool("keep"),
          a.bool("no-subreaper"));
    }
  }

  @Override
  public String name() {
    return "run";
  }

  @Override
  public String summary() {
    return "create and run a container";
  }

  @Override
  public String argsUsage() {
    return "<container-id>";
  }

  @Override
  public String description() {
    return "The run command creates an instance of a container for a bundle and starts it."
        + " Without --detach it waits for the container's process and exits with its status"
        + " (128+signal when killed).";
  }

  @Override
  public List<Flag> flags() {
    return FLAGS;
  }

  @Override
  public int run(ParsedArgs args, GlobalOptions global) throws CliException {
    return execute(Options.of(args), global);
  }

  int execute(Options o, GlobalOptions global) throws CliException {
    ContainerRuntime lc = Core.runtime(global);
    String id = o.create().id();
    // runc's rule: a terminal in the foreground without a console socket is relayed by us
    boolean relayed = !o.detach() && o.create().consoleSocket() == null && wantsTerminal(o.create().bundle());
    io.jrunc.core.api.CreateOptions co = CreateCommand.toCore(o.create(), global).withDetach(o.detach());
    Terminal relay = null;
    // in the foreground without a terminal, what of our stdio is a terminal or a file is copied
    // through pipes (runc's setupProcessPipes), never handed over (StdioRelay)
    StdioRelay pipes = o.detach() || relayed || o.create().consoleSocket() != null ? null : StdioRelay.plan();
    if (pipes != null) co = co.withStdio(pipes.stdio());
    try {
      if (relayed) {
        relay = Terminal.prepare();
        co = co.withConsoleFd(relay.consoleFd());
      }
      Container c = lc.create(id, co);
      try {
        if (relay != null) {
          relay.receive(); // sent before create returned: it waits in the socket
          relay.relay(0, 1);
        }
        if (pipes != null) pipes.start(c);
        lc.start(id);
      } catch (SetupException e) {
        if (!e.saidOnStderr()) {
          lc.delete(id, true);
          throw e;
        }
        // the process could not be executed: init said why on its stderr and exited 1. That is
        // the process's end, not run's failure, as with runc and as a CLI create and start: in
        // the foreground exit 1 (the container removed unless --keep), detached exit 0 with the
        // container stopped; no second line of ours
        if (o.detach()) return 0;
      } catch (ContainerException | IOException e) {
        lc.delete(id, true);
        throw e;
      }
      if (o.detach()) return 0;
      // runc forwards the signals it gets to the container's init while it waits
      SignalForwarder fwd = SignalForwarder.install(sig -> {
        try {
          c.forwardSignal(sig);
        } catch (ContainerException ignored) {
          // not reached: init is our child, so the signal goes straight to it
        }
      });
      int status;
      try {
        status = c.waitFor();
      } catch (ContainerException e) {
        // the wait's own error (its cause), in the words this command always used
        Throwable why = e.getCause() == null ? e : e.getCause();
        throw new CliException("wait for the container's init: " + why.getMessage(), e);
      } finally {
        fwd.uninstall();
      }
      if (relay != null) drain(relay);
      if (pipes != null) drain(pipes);
      if (!o.keep()) deleteExited(lc, id);
      return status;
    } catch (ContainerException e) {
      throw Core.fail(e);
    } catch (IOException e) {
      throw new CliException("terminal of " + id + ": " + e.getMessage(), e);
    } finally {
      if (relay != null) relay.close(); // restores the caller's terminal
    }
  }

  /**
   * Deletes the container whose init this JVM has waited for: it is stopped, so an ordinary
   * delete does what a forced one would (the cgroup and state go), without a forced delete's
   * set-up of the signal path for a kill that cannot come (a thread and ~40 JDK classes in
   * every run's start-up cache). One deleted meanwhile by another caller is no error, as with force.
   */
  private static void deleteExited(ContainerRuntime lc, String id) throws ContainerException {
    try {
      lc.delete(id, false);
    } catch (io.jrunc.core.api.ContainerNotFoundException gone) {
      // removed meanwhile: nothing left to delete
    }
  }

  /**
   * Whether the bundle's process asks for a terminal: only {@code process.terminal} scanned
   * (no records, no validation); create reads and checks the file properly right after, and
   * reports its errors.
   */
  static boolean wantsTerminal(java.nio.file.Path bundle) {
    // not a databind ObjectMapper (~440 classes outside the AOT cache, 200-290 ms of CPU on
    // every `run`, issue 14), nor the whole spec parsed twice; create reports a bad file
    try {
      byte[] json = io.jrunc.core.api.host.LimitedFiles.readJson(bundle.resolve("config.json"), "config.json");
      return Boolean.TRUE.equals(io.jrunc.spec.Json.processTerminal(json));
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * After the process exited: lets the output still in the pty reach the caller. The terminal
   * closes when the last process holding it exits; a background process that keeps it open
   * does not hold us longer than 2 s (runc waits for the copy the same way, without a bound).
   */
  /** As {@link #drain(Terminal)}, for output relayed through pipes. */
  static void drain(StdioRelay pipes) {
    try {
      pipes.awaitOutput(java.time.Duration.ofSeconds(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void drain(Terminal relay) {
    try {
      relay.awaitOutput(java.time.Duration.ofSeconds(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
