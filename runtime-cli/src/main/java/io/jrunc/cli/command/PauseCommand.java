package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import java.util.List;

/** {@code jrunc pause <container-id>}: pause suspends all processes inside the container */
public final class PauseCommand implements Command {
  /** Typed arguments. */
  public record Options(String id) {
    public static Options of(ParsedArgs a) throws CliException {
      a.requireExactly("pause", 1);
      return new Options(OptionValues.id(a));
    }
  }

  @Override
  public String name() {
    return "pause";
  }

  @Override
  public String summary() {
    return "pause suspends all processes inside the container";
  }

  @Override
  public String argsUsage() {
    return "<container-id>";
  }

  @Override
  public String description() {
    return "The pause command suspends all processes in the instance of the container (cgroup freezer).";
  }

  @Override
  public List<Flag> flags() {
    return List.of();
  }

  @Override
  public int run(ParsedArgs args, GlobalOptions global) throws CliException {
    return execute(Options.of(args), global);
  }

  int execute(Options o, GlobalOptions global) throws CliException {
    try {
      Core.runtime(global).pause(o.id());
      return 0;
    } catch (io.jrunc.core.api.ContainerException e) {
      throw Core.fail(e);
    }
  }
}
