package io.jrunc.cli.log;

import io.jrunc.spec.JsonText;
import io.jrunc.spec.Rfc3339;

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
  private static final class WithOffset {
    static final DateTimeFormatter NANO =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX", Locale.ROOT);
  }

  /** Formats one line with the current time in UTC, without the trailing newline. */
  public static String format(
      LogFormat format, Level level, String message, List<KeyValuePair> fields, Throwable error) {
    return format(format, Rfc3339.utcNow(), level, message, fields, error);
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
    return format(format, WithOffset.NANO.format(time), level, message, fields, error);
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
