package io.jrunc.cli.command;

import io.jrunc.core.api.ContainerException;
import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import java.util.List;

/** {@code jrunc kill [--all] <container-id> [signal]}: signals the container's process. */
public final class KillCommand implements Command {
  static final List<Flag> FLAGS =
      List.of(Flag.bool("all", "send the specified signal to all processes inside the container", "a"));

  /**
   * Typed options.
   *
   * @param id the container id
   * @param signal the signal number, decoded by {@link Signals#parse} from a number ({@code
   *     9}) or a name with or without {@code SIG} ({@code KILL}, {@code SIGKILL}); 15 (SIGTERM)
   *     when absent
   * @param all {@code -a/--all}
   */
  public record Options(String id, int signal, boolean all) {
    public static Options of(ParsedArgs a) throws CliException {
      a.requireAtLeast("kill", 1);
      a.requireAtMost("kill", 2);
      String sig = a.positional(1);
      return new Options(
          OptionValues.id(a), sig == null ? 15 : Signals.parse(sig), a.bool("all"));
    }
  }

  @Override
  public String name() {
    return "kill";
  }

  @Override
  public String summary() {
    return "kill sends the specified signal (default: SIGTERM) to the container's init process";
  }

  @Override
  public String argsUsage() {
    return "<container-id> [signal]";
  }

  @Override
  public String description() {
    return "The kill command sends the specified signal to the container's init process. The"
        + " signal is a number or a name, with or without the SIG prefix.";
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
    try {
      Core.runtime(global).kill(o.id(), o.signal(), o.all());
      return 0;
    } catch (ContainerException e) {
      throw Core.fail(e);
    }
  }
}
