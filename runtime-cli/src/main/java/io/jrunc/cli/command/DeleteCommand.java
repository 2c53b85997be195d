package io.jrunc.cli.command;

import io.jrunc.core.api.ContainerException;
import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import java.util.List;

/** {@code jrunc delete [--force] <container-id>}: removes a stopped (or created) container. */
public final class DeleteCommand implements Command {
  static final List<Flag> FLAGS =
      List.of(
          Flag.bool(
              "force",
              "Forcibly deletes the container if it is still running (uses SIGKILL)",
              "f"));

  /**
   * Typed options.
   *
   * @param id the container id
   * @param force {@code -f/--force}: kill a running container first; a missing one is success
   */
  public record Options(String id, boolean force) {
    public static Options of(ParsedArgs a) throws CliException {
      a.requireExactly("delete", 1);
      return new Options(OptionValues.id(a), a.bool("force"));
    }
  }

  @Override
  public String name() {
    return "delete";
  }

  @Override
  public String summary() {
    return "delete any resources held by the container often used with detached container";
  }

  @Override
  public String argsUsage() {
    return "<container-id>";
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
      Core.runtime(global).delete(o.id(), o.force());
      return 0;
    } catch (ContainerException e) {
      throw Core.fail(e);
    }
  }
}
