package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import io.jrunc.cli.args.UsageException;
import java.util.List;

/** {@code jrunc list [-f table|json] [-q]}: lists the containers under the root. */
public final class ListCommand implements Command {
  static final List<Flag> FLAGS =
      List.of(
          Flag.string("format", "select one of: table or json", "f").withDefault("table"),
          Flag.bool("quiet", "display only container IDs", "q"));

  /**
   * Typed options.
   *
   * @param json true for {@code --format json}, false for table
   * @param quiet {@code -q}
   */
  public record Options(boolean json, boolean quiet) {
    public static Options of(ParsedArgs a) throws CliException {
      a.requireExactly("list", 0);
      return new Options(jsonFormat(a.string("format")), a.bool("quiet"));
    }
  }

  /** {@code table} → false, {@code json} → true; anything else is runc's "invalid format". */
  static boolean jsonFormat(String format) throws UsageException {
    return switch (format) {
      case "table" -> false;
      case "json" -> true;
      default -> throw new UsageException("invalid format option \"" + format + "\" (table or json)");
    };
  }

  @Override
  public String name() {
    return "list";
  }

  @Override
  public String summary() {
    return "lists containers started by jrunc with the given root";
  }

  @Override
  public List<Flag> flags() {
    return FLAGS;
  }

  @Override
  public int run(ParsedArgs args, GlobalOptions global) throws CliException {
    return execute(Options.of(args), global);
  }

  /** TODO(lead): wire to runtime-core: enumerate global.root(), print table or JSON array. */
  int execute(Options o, GlobalOptions global) throws CliException {
    throw CliException.notImplemented(name());
  }
}
