package io.jrunc.cli.command;

import io.jrunc.spec.State;
import io.jrunc.core.api.ContainerException;
import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import java.util.List;

/** {@code jrunc state <container-id>}: prints the OCI state JSON of a container. */
public final class StateCommand implements Command {
  /** Typed arguments. */
  public record Options(String id) {
    public static Options of(ParsedArgs a) throws CliException {
      a.requireExactly("state", 1);
      return new Options(OptionValues.id(a));
    }
  }

  @Override
  public String name() {
    return "state";
  }

  @Override
  public String summary() {
    return "output the state of a container";
  }

  @Override
  public String argsUsage() {
    return "<container-id>";
  }

  @Override
  public String description() {
    return "The state command outputs current state information for the instance of a"
        + " container.";
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
      State s = Core.runtime(global).state(o.id());
      System.out.println(StateJson.write(s));
      return 0;
    } catch (ContainerException e) {
      throw Core.fail(e);
    }
  }
}
