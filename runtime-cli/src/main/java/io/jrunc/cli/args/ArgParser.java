package io.jrunc.cli.args;

import java.util.List;

/**
 * A small parser with the rules of Go's flag package as runc (urfave/cli) applies them.
 *
 * <table>
 *   <caption>Accepted forms</caption>
 *   <tr><th>form</th><th>meaning</th></tr>
 *   <tr><td>{@code --name value}, {@code -name value}</td><td>value flag; one or two dashes are the same in Go</td></tr>
 *   <tr><td>{@code --name=value}, {@code -n=value}</td><td>value flag, value may be empty</td></tr>
 *   <tr><td>{@code --flag}, {@code -f}</td><td>bool flag set to true</td></tr>
 *   <tr><td>{@code --flag=false}</td><td>bool flag with an explicit value (Go's ParseBool)</td></tr>
 *   <tr><td>{@code -h}, {@code --help}</td><td>help, unless the table defines that name</td></tr>
 *   <tr><td>{@code --}</td><td>everything after it is positional</td></tr>
 *   <tr><td>{@code -}</td><td>a positional argument (e.g. stdin)</td></tr>
 * </table>
 *
 * <p>Flags and positional arguments may be interleaved (urfave/cli reorders them), except that
 * parsing stops for good once {@code stopAfter} positional arguments have been seen and another
 * one arrives: {@code exec} passes 1, so {@code exec ID sh -c 'ls -l'} keeps {@code -c} for the
 * container's command; {@code ps} and the global options pass 0, so everything from the id
 * (or the subcommand name) on is left alone. Single-letter flags are not bundled
 * ({@code -dt} is not {@code -d -t}), as in runc.
 */
public final class ArgParser {
  private ArgParser() {}

  /** No limit on positional arguments: flags are parsed anywhere. */
  public static final int NO_STOP = -1;

  /**
   * Parses {@code args[from..]} against {@code table}.
   *
   * @param stopAfter parsing stops at the positional argument that follows this many; {@link
   *     #NO_STOP} to parse flags anywhere
   * @throws UsageException for an unknown flag, a missing or malformed value
   */
  public static ParsedArgs parse(List<Flag> table, List<String> args, int stopAfter)
      throws UsageException {
    ParsedArgs.Builder b = new ParsedArgs.Builder(table);
    int n = args.size();
    int i = 0;
    while (i < n) {
      String a = args.get(i++);
      if (a.equals("--")) {
        b.positionals.addAll(args.subList(i, n));
        break;
      }
      if (a.length() < 2 || a.charAt(0) != '-') {
        b.positionals.add(a);
        if (stopAfter != NO_STOP && b.positionals.size() > stopAfter) {
          b.positionals.addAll(args.subList(i, n));
          break;
        }
        continue;
      }
      String name = a.charAt(1) == '-' ? a.substring(2) : a.substring(1);
      if (name.isEmpty() || name.charAt(0) == '-' || name.charAt(0) == '=') {
        throw new UsageException("bad flag syntax: " + a);
      }
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      Flag f = b.flags.get(name);
      if (f == null) {
        if (name.equals("h") || name.equals("help")) {
          b.help = true;
          continue;
        }
        throw new UsageException("flag provided but not defined: -" + name);
      }
      if (!f.takesValue()) {
        if (value == null) {
          value = "true";
        } else if (ParsedArgs.parseBoolOrNull(value) == null) {
          throw new UsageException(
              "invalid boolean value \"" + value + "\" for -" + name + ": parse error");
        }
      } else if (value == null) {
        if (i >= n) {
          throw new UsageException("flag needs an argument: -" + name);
        }
        value = args.get(i++);
      }
      check(f, name, value);
      b.add(f, value);
    }
    return b.build();
  }

  private static void check(Flag f, String given, String value) throws UsageException {
    switch (f.kind()) {
      case INT -> {
        try {
          Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
          throw new UsageException(
              "invalid value \"" + value + "\" for flag -" + given + ": parse error");
        }
      }
      case DURATION -> {
        try {
          GoDuration.parse(value);
        } catch (IllegalArgumentException e) {
          throw new UsageException(
              "invalid value \"" + value + "\" for flag -" + given + ": parse error");
        }
      }
      default -> {}
    }
  }
}
