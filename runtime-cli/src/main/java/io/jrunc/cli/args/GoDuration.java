package io.jrunc.cli.args;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Parses durations in Go's {@code time.ParseDuration} syntax, which runc's {@code events
 * --interval} takes: a sequence of decimal numbers with units {@code ns, us, µs, ms, s, m, h},
 * e.g. {@code 5s}, {@code 1m30s}, {@code 1.5h}; a bare {@code 0} is allowed.
 */
public final class GoDuration {
  private GoDuration() {}

  /**
   * @throws IllegalArgumentException {@code time: invalid duration "x"} (Go's wording)
   */
  public static Duration parse(String text) {
    String s = text;
    boolean negative = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw invalid(text);
    }
    BigDecimal nanos = BigDecimal.ZERO;
    int i = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      if (start == i) {
        throw invalid(text);
      }
      BigDecimal number;
      try {
        number = new BigDecimal(s.substring(start, i));
      } catch (NumberFormatException e) {
        throw invalid(text);
      }
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      long scale =
          switch (s.substring(unitStart, i)) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw invalid(text); // Go also rejects a missing unit
          };
      nanos = nanos.add(number.multiply(BigDecimal.valueOf(scale)));
    }
    long n;
    try {
      n = nanos.longValueExact();
    } catch (ArithmeticException e) {
      // fractional nanoseconds are truncated by Go too; overflow is an error
      try {
        n = nanos.toBigInteger().longValueExact();
      } catch (ArithmeticException overflow) {
        throw invalid(text);
      }
    }
    return Duration.ofNanos(negative ? -n : n);
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException("time: invalid duration \"" + text + "\"");
  }
}
