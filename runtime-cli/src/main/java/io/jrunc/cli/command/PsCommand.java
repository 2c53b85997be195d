package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import java.util.List;

/**
 * {@code jrunc ps [-f table|json] <container-id> [ps options]}: the container's processes;
 * arguments after the id go to ps(1) unparsed.
 */
public final class PsCommand implements Command {
  static final List<Flag> FLAGS =
      List.of(Flag.string("format", "select one of: table or json", "f").withDefault("table"));

  /**
   * Typed options.
   *
   * @param id the container id
   * @param json {@code --format json}: a JSON array of host pids
   * @param psArgs the arguments for ps(1) (table format), default {@code -ef} is the wiring's
   */
  public record Options(String id, boolean json, List<String> psArgs) {
    public static Options of(ParsedArgs a) throws CliException {
      a.requireAtLeast("ps", 1);
      return new Options(
          OptionValues.id(a),
          ListCommand.jsonFormat(a.string("format")),
          List.copyOf(a.positionalsFrom(1)));
    }
  }

  @Override
  public String name() {
    return "ps";
  }

  @Override
  public String summary() {
    return "ps displays the processes running inside a container";
  }

  @Override
  public String argsUsage() {
    return "<container-id> [ps options]";
  }

  @Override
  public List<Flag> flags() {
    return FLAGS;
  }

  /** Everything after the id belongs to ps(1), even {@code -o pid}: stop at the id itself. */
  @Override
  public int stopParsingAfter() {
    return 0;
  }

  @Override
  public int run(ParsedArgs args, GlobalOptions global) throws CliException {
    return execute(Options.of(args), global);
  }

  /** TODO(lead): wire to runtime-core: read cgroup.procs, print JSON or run ps(1) and filter. */
  int execute(Options o, GlobalOptions global) throws CliException {
    throw CliException.notImplemented(name());
  }
}
