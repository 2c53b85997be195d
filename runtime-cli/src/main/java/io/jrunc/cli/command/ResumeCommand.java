package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import java.util.List;

/** {@code jrunc resume <container-id>}: resumes all processes that have been previously paused */
public final class ResumeCommand implements Command {
  /** Typed arguments. */
  public record Options(String id) {
    public static Options of(ParsedArgs a) throws CliException {
      a.requireExactly("resume", 1);
      return new Options(OptionValues.id(a));
    }
  }

  @Override
  public String name() {
    return "resume";
  }

  @Override
  public String summary() {
    return "resumes all processes that have been previously paused";
  }

  @Override
  public String argsUsage() {
    return "<container-id>";
  }

  @Override
  public String description() {
    return "The resume command resumes all processes in the instance of the container.";
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
      Core.runtime(global).resume(o.id());
      return 0;
    } catch (io.jrunc.core.api.ContainerException e) {
      throw Core.fail(e);
    }
  }
}
