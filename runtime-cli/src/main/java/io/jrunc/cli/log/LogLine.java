package io.jrunc.cli.log;

import io.jrunc.spec.JsonText;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;

/**
 * Renders one log record as one line, the way runc's logrus does.
 *
 * <table>
 *   <caption>Line formats</caption>
 *   <tr><th>format</th><th>example</th></tr>
 *   <tr><td>text</td><td>{@code time="2026-11-25T10:44:55.123456789Z" level=error msg="container does not exist" id=abc}</td></tr>
 *   <tr><td>json</td><td>{@code {"id":"abc","level":"error","msg":"container does not exist","time":"2026-11-25T10:44:55.123456789Z"}}</td></tr>
 * </table>
 *
 * <p>JSON keys are sorted like logrus' JSON formatter, so {@code level, msg, time} appear in that
 * order; key-value pairs from the SLF4J fluent API become extra keys (logrus "fields"). containerd
 * and podman parse these lines with Go's encoding/json and {@code time.Time}, which accepts RFC
 * 3339 with fractional seconds and any offset. The level names are logrus' ({@code warning}, not
 * {@code warn}). A line never contains a raw newline: both formats escape it.
 */
public final class LogLine {
  private LogLine() {}

  /** RFC 3339 with nanoseconds and the numeric offset; in a holder, built only when used. */
  private static final class Rfc3339 {
    static final DateTimeFormatter NANO =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX", Locale.ROOT);
  }

  /**
   * {@code 2026-11-25T10:44:55.123456789Z}: RFC 3339 in UTC with nanoseconds, computed by hand.
   * The CLI's error line is on the hot path of every failing call, and java.time's zone rules
   * and formatter cost 15-20 ms of start-up; UTC needs neither (logrus prints local time, which
   * on servers is UTC; either parses as the same instant).
   */
  public static String utcNow() {
    java.time.Instant now = java.time.Instant.now();
    return utc(now.getEpochSecond(), now.getNano());
  }

  /** See {@link #utcNow()}. */
  static String utc(long epochSecond, int nano) {
    long days = Math.floorDiv(epochSecond, 86_400L);
    long secs = Math.floorMod(epochSecond, 86_400L);
    // civil-from-days (H. Hinnant's algorithm), proleptic Gregorian calendar
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long day = doy - (153 * mp + 2) / 5 + 1;
    long month = mp < 10 ? mp + 3 : mp - 9;
    long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    StringBuilder b = new StringBuilder(30);
    pad(b, year, 4).append('-');
    pad(b, month, 2).append('-');
    pad(b, day, 2).append('T');
    pad(b, secs / 3600, 2).append(':');
    pad(b, secs / 60 % 60, 2).append(':');
    pad(b, secs % 60, 2).append('.');
    pad(b, nano, 9).append('Z');
    return b.toString();
  }

  private static StringBuilder pad(StringBuilder b, long v, int width) {
    String s = Long.toString(v);
    for (int i = s.length(); i < width; i++) {
      b.append('0');
    }
    return b.append(s);
  }

  /** Formats one line with the current time in UTC, without the trailing newline. */
  public static String format(
      LogFormat format, Level level, String message, List<KeyValuePair> fields, Throwable error) {
    return format(format, utcNow(), level, message, fields, error);
  }

  /** logrus' name for a level. */
  public static String levelName(Level level) {
    return switch (level) {
      case ERROR -> "error";
      case WARN -> "warning";
      case INFO -> "info";
      case DEBUG -> "debug";
      case TRACE -> "trace";
    };
  }

  /** Formats one line at {@code time}, without the trailing newline. */
  public static String format(
      LogFormat format,
      OffsetDateTime time,
      Level level,
      String message,
      List<KeyValuePair> fields,
      Throwable error) {
    return format(format, Rfc3339.NANO.format(time), level, message, fields, error);
  }

  private static String format(
      LogFormat format,
      String ts,
      Level level,
      String message,
      List<KeyValuePair> fields,
      Throwable error) {
    String msg = message == null ? "" : message;
    String errorText = error == null ? null : describe(error);
    StringBuilder b = new StringBuilder(64 + msg.length());
    if (format == LogFormat.JSON) {
      // sorted keys: "error" < field names are arbitrary, so collect and sort them all
      java.util.TreeMap<String, String> keys = new java.util.TreeMap<>();
      if (fields != null) {
        for (KeyValuePair kv : fields) {
          keys.put(String.valueOf(kv.key), String.valueOf(kv.value));
        }
      }
      if (errorText != null) {
        keys.put("error", errorText);
      }
      keys.put("level", levelName(level));
      keys.put("msg", msg);
      keys.put("time", ts);
      b.append('{');
      boolean first = true;
      for (var e : keys.entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        jsonString(b, e.getKey());
        b.append(':');
        jsonString(b, e.getValue());
      }
      b.append('}');
    } else {
      b.append("time=");
      textValue(b, ts);
      b.append(" level=").append(levelName(level));
      b.append(" msg=");
      textValue(b, msg);
      if (errorText != null) {
        b.append(" error=");
        textValue(b, errorText);
      }
      if (fields != null) {
        for (KeyValuePair kv : fields) {
          b.append(' ').append(kv.key).append('=');
          textValue(b, String.valueOf(kv.value));
        }
      }
    }
    return b.toString();
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return m == null ? t.getClass().getName() : t.getClass().getName() + ": " + m;
  }

  /** Appends s as a JSON string literal: {@link JsonText}, the escapes of every JSON jrunc writes. */
  static void jsonString(StringBuilder b, String s) {
    JsonText.quote(b, s);
  }

  /**
   * Appends a logrus text value: bare when it only holds "safe" characters, otherwise quoted
   * with Go's {@code %q} escapes (logrus' {@code needsQuoting}).
   */
  static void textValue(StringBuilder b, String s) {
    if (!s.isEmpty() && !needsQuoting(s)) {
      b.append(s);
      return;
    }
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  private static boolean needsQuoting(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean safe =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '.'
              || c == '_'
              || c == '/'
              || c == '@'
              || c == '^'
              || c == '+';
      if (!safe) {
        return true;
      }
    }
    return false;
  }
}
