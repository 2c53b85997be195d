package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.ArgParser;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import java.util.List;

/**
 * One subcommand of {@code jrunc}: its name, its flag table, its help text and what it does.
 * One class per subcommand, registered in {@link Commands}.
 *
 * <p>{@link io.jrunc.cli.Main} parses the global options, finds the command, parses the rest
 * with {@link #flags()} and {@link #stopParsingAfter()}, prints help for {@code -h}, and
 * otherwise calls {@link #run}. A failure is thrown as a {@link CliException}; Main logs it as
 * the one error line and exits with its code.
 */
public interface Command {
  /** The subcommand name, e.g. {@code create}. */
  String name();

  /** Other names (runc: {@code help, h}). */
  default List<String> aliases() {
    return List.of();
  }

  /** One-line summary for the command list. */
  String summary();

  /** The arguments after the options in the usage line, e.g. {@code <container-id>}. */
  default String argsUsage() {
    return "";
  }

  /** Longer help text, or empty. */
  default String description() {
    return "";
  }

  /** The flags this command accepts. */
  List<Flag> flags();

  /**
   * How many positional arguments may precede flags before parsing stops ({@link
   * ArgParser#NO_STOP} for no stop). {@code exec} returns 1: flags may still follow the
   * container id, but the command line after it belongs to the container; {@code ps} returns 0
   * (as runc): everything after the id goes to ps(1), {@code -o pid} included.
   */
  default int stopParsingAfter() {
    return ArgParser.NO_STOP;
  }

  /** False for commands that must not list themselves as available (hidden from help). */
  default boolean hidden() {
    return false;
  }

  /**
   * Null for a supported command. Otherwise the reason it is not supported: {@code jrunc CMD
   * --help} then prints the help and fails with this message (exit 1), because podman takes
   * the exit status of {@code checkpoint --help} as "supported or not".
   */
  default String unsupported() {
    return null;
  }

  /**
   * Runs the command.
   *
   * @return the exit status (0 on success)
   * @throws CliException on failure (message = the error line, its exit code)
   */
  int run(ParsedArgs args, GlobalOptions global) throws CliException;
}
