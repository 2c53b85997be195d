package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code jrunc validate [-b DIR]} (jrunc's own): checks the bundle's config.json against the
 * runtime-spec schema and its semantic rules; prints the report, exit 0 when valid.
 */
public final class ValidateCommand implements Command {
  static final List<Flag> FLAGS =
      List.of(Flag.string("bundle", "path to the root of the bundle directory", "b"));

  /**
   * Typed options.
   *
   * @param bundle the bundle directory (default: the current directory)
   */
  public record Options(Path bundle) {
    public static Options of(ParsedArgs a) throws CliException {
      a.requireExactly("validate", 0);
      String b = a.string("bundle");
      return new Options(Path.of(b == null || b.isEmpty() ? "." : b));
    }
  }

  @Override
  public String name() {
    return "validate";
  }

  @Override
  public String summary() {
    return "check a bundle's config.json against the OCI runtime-spec (jrunc extension)";
  }

  @Override
  public String description() {
    return "The validate command checks config.json in the bundle against the runtime-spec"
        + " JSON schema and its semantic rules, and prints every problem with its JSON path."
        + " Exit status 0 when the bundle is valid, 1 otherwise.";
  }

  @Override
  public List<Flag> flags() {
    return FLAGS;
  }

  @Override
  public int run(ParsedArgs args, GlobalOptions global) throws CliException {
    Options o = Options.of(args);
    throw CliException.notImplemented(name()); // TODO(cli): wire to the spec validator
  }
}
