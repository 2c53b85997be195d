package io.jrunc.cli.args;

import java.util.List;

/**
 * One flag of a command or of the global option set.
 *
 * @param name the long name without dashes ({@code bundle}); the key in {@link ParsedArgs}
 * @param aliases other names, typically the one-letter short form ({@code b})
 * @param kind how a value is taken and checked
 * @param defaultValue the value when the flag is absent (null: none), shown in help
 * @param usage one line of help
 * @param hidden accepted but not listed in help (runc's hidden flags, e.g. {@code kill --all})
 */
public record Flag(
    String name, List<String> aliases, Kind kind, String defaultValue, String usage, boolean hidden) {

  /** How a flag takes its value. */
  public enum Kind {
    /** No value; {@code --flag=false} is accepted like Go's flag package. */
    BOOL,
    /** One value; the last occurrence wins. */
    STRING,
    /** One decimal integer value, checked while parsing. */
    INT,
    /** A Go duration ({@code 5s}, {@code 1m30s}, {@code 250ms}), checked while parsing. */
    DURATION,
    /** One value per occurrence, all kept in order ({@code -e A -e B}). */
    LIST
  }

  public Flag {
    aliases = List.copyOf(aliases);
  }

  public static Flag bool(String name, String usage, String... aliases) {
    return new Flag(name, List.of(aliases), Kind.BOOL, null, usage, false);
  }

  public static Flag string(String name, String usage, String... aliases) {
    return new Flag(name, List.of(aliases), Kind.STRING, null, usage, false);
  }

  public static Flag integer(String name, String usage, String... aliases) {
    return new Flag(name, List.of(aliases), Kind.INT, null, usage, false);
  }

  public static Flag duration(String name, String usage, String... aliases) {
    return new Flag(name, List.of(aliases), Kind.DURATION, null, usage, false);
  }

  public static Flag list(String name, String usage, String... aliases) {
    return new Flag(name, List.of(aliases), Kind.LIST, null, usage, false);
  }

  /** This flag with a default value. */
  public Flag withDefault(String value) {
    return new Flag(name, aliases, kind, value, usage, hidden);
  }

  /** This flag, accepted but left out of help. */
  public Flag asHidden() {
    return new Flag(name, aliases, kind, defaultValue, usage, true);
  }

  /** True if {@code n} (without dashes) names this flag. */
  public boolean matches(String n) {
    return name.equals(n) || aliases.contains(n);
  }

  /** True if the flag takes a value. */
  public boolean takesValue() {
    return kind != Kind.BOOL;
  }
}
