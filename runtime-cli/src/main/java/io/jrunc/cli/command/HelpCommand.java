package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.Help;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import io.jrunc.cli.args.UsageException;
import java.util.List;

/** {@code jrunc help [command]}: the command list, or one command's help. */
public final class HelpCommand implements Command {
  @Override
  public String name() {
    return "help";
  }

  @Override
  public List<String> aliases() {
    return List.of("h");
  }

  @Override
  public String summary() {
    return "Shows a list of commands or help for one command";
  }

  @Override
  public String argsUsage() {
    return "[command]";
  }

  @Override
  public List<Flag> flags() {
    return List.of();
  }

  @Override
  public int run(ParsedArgs args, GlobalOptions global) throws CliException {
    String topic = args.positional(0);
    if (topic == null) {
      System.out.print(Help.app());
      return 0;
    }
    Command c = Commands.find(topic);
    if (c == null) {
      throw new UsageException("No help topic for '" + topic + "'");
    }
    System.out.print(Help.command(c));
    if (c.unsupported() != null) {
      throw new CliException(c.unsupported());
    }
    return 0;
  }
}
