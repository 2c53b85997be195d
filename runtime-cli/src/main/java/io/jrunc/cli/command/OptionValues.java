package io.jrunc.cli.command;

import io.jrunc.cli.args.UsageException;
import java.nio.file.Path;
import java.util.Locale;

/** Conversions shared by the commands' typed option records. */
final class OptionValues {
  private OptionValues() {}

  /**
   * A path flag made absolute against the current directory, or null. runc does the same
   * ({@code revisePaths}) for pid-file, console-socket, pidfd-socket and config, because it
   * changes directory into the bundle before using them.
   */
  static Path absolute(String value) {
    return value == null || value.isEmpty() ? null : Path.of(value).toAbsolutePath().normalize();
  }

  /** The container id argument; runc's checkArgs already made sure it is present. */
  static String id(io.jrunc.cli.args.ParsedArgs a) throws UsageException {
    String id = a.positional(0);
    if (id == null || id.isEmpty()) {
      throw new UsageException("container id cannot be empty");
    }
    return id;
  }

  /** A decimal signed 64-bit value of {@code flag}, or null if absent. */
  static Long int64(io.jrunc.cli.args.ParsedArgs a, String flag) throws UsageException {
    String s = a.string(flag);
    if (s == null) {
      return null;
    }
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(
          "invalid value for " + flag + ": \"" + s + "\" is not a decimal integer");
    }
  }

  /** A decimal unsigned 64-bit value (stored in a long, two's complement), or null. */
  static Long uint64(io.jrunc.cli.args.ParsedArgs a, String flag) throws UsageException {
    String s = a.string(flag);
    if (s == null) {
      return null;
    }
    try {
      return Long.parseUnsignedLong(s.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(
          "invalid value for " + flag + ": \"" + s + "\" is not an unsigned decimal integer");
    }
  }

  /**
   * A memory size as runc's update takes it: {@code -1} (unlimited), or a number with an
   * optional binary unit ({@code 512m}, {@code 1.5g}, {@code 1024}, {@code 2GiB}), like
   * docker/go-units' RAMInBytes. Null if absent.
   */
  static Long bytes(io.jrunc.cli.args.ParsedArgs a, String flag) throws UsageException {
    String s = a.string(flag);
    if (s == null) {
      return null;
    }
    Long v = parseBytes(s.trim());
    if (v == null) {
      throw new UsageException(
          "invalid value for " + flag + ": \"" + s + "\" is not a size (e.g. 512m, 1g, -1)");
    }
    return v;
  }

  /** See {@link #bytes}; null if malformed. */
  static Long parseBytes(String s) {
    if (s.equals("-1")) {
      return -1L;
    }
    String lower = s.toLowerCase(Locale.ROOT);
    int end = lower.length();
    if (end > 0 && lower.charAt(end - 1) == 'b') {
      end--;
    }
    if (end > 0 && lower.charAt(end - 1) == 'i') {
      end--;
    }
    long mult = 1;
    if (end > 0) {
      char u = lower.charAt(end - 1);
      int shift =
          switch (u) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            case 'p' -> 50;
            default -> 0;
          };
      if (shift > 0) {
        mult = 1L << shift;
        end--;
      }
    }
    String num = lower.substring(0, end).trim();
    if (num.isEmpty() || !num.matches("\\d+(\\.\\d+)?")) {
      return null;
    }
    try {
      java.math.BigDecimal v = new java.math.BigDecimal(num).multiply(java.math.BigDecimal.valueOf(mult));
      return v.toBigInteger().longValueExact();
    } catch (ArithmeticException e) {
      return null;
    }
  }
}
