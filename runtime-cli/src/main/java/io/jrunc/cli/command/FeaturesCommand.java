package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.FeaturesDocument;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import java.util.List;

/** {@code jrunc features}: the runtime-spec features document (features.md). */
public final class FeaturesCommand implements Command {
  @Override
  public String name() {
    return "features";
  }

  @Override
  public String summary() {
    return "show the enabled features";
  }

  @Override
  public String description() {
    return "Show the enabled features. The result is parsable as a JSON (runtime-spec"
        + " features.md). A field that is absent is not known to be supported.";
  }

  @Override
  public List<Flag> flags() {
    return List.of();
  }

  @Override
  public int run(ParsedArgs args, GlobalOptions global) throws CliException {
    args.requireExactly("features", 0);
    System.out.print(FeaturesDocument.json());
    return 0;
  }
}
