package io.jrunc.cli.command;

import io.jrunc.core.api.ContainerException;
import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import java.util.List;

/** {@code jrunc start <container-id>}: executes the user defined process in a created container */
public final class StartCommand implements Command {
  /** Typed arguments. */
  public record Options(String id) {
    public static Options of(ParsedArgs a) throws CliException {
      a.requireExactly("start", 1);
      return new Options(OptionValues.id(a));
    }
  }

  @Override
  public String name() {
    return "start";
  }

  @Override
  public String summary() {
    return "executes the user defined process in a created container";
  }

  @Override
  public String argsUsage() {
    return "<container-id>";
  }

  @Override
  public String description() {
    return "The start command executes the user defined process in a created container.";
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
      Core.runtime(global).start(o.id());
      return 0;
    } catch (ContainerException e) {
      throw Core.fail(e);
    }
  }
}
