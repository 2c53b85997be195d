package io.jrunc.cli.log;

import java.util.Locale;

/** The two line formats runc offers through {@code --log-format}. */
public enum LogFormat {
  /** logrus' text formatter: {@code time="..." level=error msg="..."}. */
  TEXT,
  /** One JSON object per line: {@code {"level":"error","msg":"...","time":"..."}}. */
  JSON;

  /** Parses the value of {@code --log-format}; null when it is neither text nor json. */
  public static LogFormat parse(String value) {
    // the usual spellings first: toLowerCase(Locale.ROOT) initialises Locale on every CLI call
    if (value.equals("text")) return TEXT;
    if (value.equals("json")) return JSON;
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "text" -> TEXT;
      case "json" -> JSON;
      default -> null;
    };
  }
}
