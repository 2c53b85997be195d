package io.jrunc.cli.args;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of parsing one command's arguments: flag values by long name and the positional
 * arguments in order. Values were checked against their {@link Flag.Kind} while parsing, so the
 * typed getters here only convert.
 */
public final class ParsedArgs {
  private final Map<String, Flag> flags;
  private final Map<String, List<String>> values;
  private final List<String> positionals;
  private final boolean helpRequested;

  ParsedArgs(
      Map<String, Flag> flags,
      Map<String, List<String>> values,
      List<String> positionals,
      boolean helpRequested) {
    this.flags = flags;
    this.values = values;
    this.positionals = List.copyOf(positionals);
    this.helpRequested = helpRequested;
  }

  /** An empty result (no flags known, no values); for commands called from code or tests. */
  public static ParsedArgs empty() {
    return new ParsedArgs(Map.of(), Map.of(), List.of(), false);
  }

  /** True if {@code -h} or {@code --help} was given. */
  public boolean helpRequested() {
    return helpRequested;
  }

  /** True if the flag was given at least once. */
  public boolean isSet(String name) {
    return values.containsKey(flag(name).name());
  }

  /** How often the flag was given. */
  public int count(String name) {
    List<String> v = values.get(flag(name).name());
    return v == null ? 0 : v.size();
  }

  /** The last value given, else the flag's default, else null. */
  public String string(String name) {
    Flag f = flag(name);
    List<String> v = values.get(f.name());
    return v == null ? f.defaultValue() : v.getLast();
  }

  /** A bool flag: given without value or with a true value. */
  public boolean bool(String name) {
    String s = string(name);
    return s != null && parseBool(s);
  }

  /** An INT flag's value, or {@code fallback} when neither given nor defaulted. */
  public int integer(String name, int fallback) {
    String s = string(name);
    return s == null ? fallback : Integer.parseInt(s.trim());
  }

  /** A DURATION flag's value, or null when neither given nor defaulted. */
  public Duration duration(String name) {
    String s = string(name);
    return s == null ? null : GoDuration.parse(s);
  }

  /** Every value of the flag in order (a LIST flag); empty when not given. */
  public List<String> list(String name) {
    List<String> v = values.get(flag(name).name());
    return v == null ? List.of() : Collections.unmodifiableList(v);
  }

  /** The positional arguments, in order. */
  public List<String> positionals() {
    return positionals;
  }

  /** The {@code i}-th positional argument, or null. */
  public String positional(int i) {
    return i < positionals.size() ? positionals.get(i) : null;
  }

  /** Positional arguments from index {@code from} on (e.g. exec's command line). */
  public List<String> positionalsFrom(int from) {
    return from >= positionals.size() ? List.of() : positionals.subList(from, positionals.size());
  }

  /**
   * Checks the number of positional arguments like runc's {@code checkArgs}.
   *
   * @throws UsageException {@code "state" requires exactly 1 argument(s)}
   */
  public void requireExactly(String command, int n) throws UsageException {
    if (positionals.size() != n) {
      throw new UsageException(
          "jrunc: \"" + command + "\" requires exactly " + n + " argument(s)");
    }
  }

  /** At least {@code n} positional arguments. */
  public void requireAtLeast(String command, int n) throws UsageException {
    if (positionals.size() < n) {
      throw new UsageException(
          "jrunc: \"" + command + "\" requires a minimum of " + n + " argument(s)");
    }
  }

  /** At most {@code n} positional arguments. */
  public void requireAtMost(String command, int n) throws UsageException {
    if (positionals.size() > n) {
      throw new UsageException(
          "jrunc: \"" + command + "\" requires a maximum of " + n + " argument(s)");
    }
  }

  private Flag flag(String name) {
    Flag f = flags.get(name);
    if (f == null) {
      // a programming error in a command class, not a user error
      throw new IllegalArgumentException("no flag named " + name + " in this command's table");
    }
    return f;
  }

  /** Go's strconv.ParseBool; null if the text is not a boolean. */
  static Boolean parseBoolOrNull(String s) {
    return switch (s) {
      case "1", "t", "T", "TRUE", "true", "True" -> Boolean.TRUE;
      case "0", "f", "F", "FALSE", "false", "False" -> Boolean.FALSE;
      default -> null;
    };
  }

  private static boolean parseBool(String s) {
    Boolean b = parseBoolOrNull(s);
    return b != null && b;
  }

  /** Mutable accumulator used by {@link ArgParser}. */
  static final class Builder {
    final Map<String, Flag> flags = new LinkedHashMap<>();
    final Map<String, List<String>> values = new LinkedHashMap<>();
    final List<String> positionals = new ArrayList<>();
    boolean help;

    Builder(List<Flag> table) {
      for (Flag f : table) {
        flags.put(f.name(), f);
        for (String a : f.aliases()) {
          flags.put(a, f);
        }
      }
    }

    void add(Flag f, String value) {
      // no lambda here: every call parses arguments, and a lambda's first use costs start-up time
      List<String> list = values.get(f.name());
      if (list == null) {
        list = new ArrayList<>();
        values.put(f.name(), list);
      }
      list.add(value);
    }

    ParsedArgs build() {
      return new ParsedArgs(flags, values, positionals, help);
    }
  }
}
