package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
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

  /** TODO(lead): wire to runtime-core: create + start, wait unless detached, return status. */
  int execute(Options o, GlobalOptions global) throws CliException {
    throw CliException.notImplemented(name());
  }
}
