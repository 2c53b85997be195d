package io.jrunc.cli.log;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;

/**
 * The process-wide configuration of jrunc's SLF4J provider: threshold, line format and sink.
 *
 * <p>The CLI calls {@link #configure} once, right after parsing the global options. Until then
 * (and in a library embedding that never calls it, but still has this jar's provider on its
 * class path) records at {@code error} go to stderr in text format.
 *
 * <p>Contract with engines: at the default threshold ({@code error}) a failing command writes
 * exactly one line, the one the CLI writes for the final error; podman reads the whole
 * {@code --log} file as one JSON object. Library code must therefore log at {@code warn} or
 * below and report failures by throwing.
 */
public final class JruncLogging {
  private JruncLogging() {}

  private static volatile Level threshold = Level.ERROR;
  private static volatile LogFormat format = LogFormat.TEXT;
  /** null means stderr. */
  private static volatile OutputStream file;

  private static volatile Path filePath;

  /** One logger per name, whether runtime-core asks (LoggerBinding) or SLF4J's provider does. */
  private static final JruncLoggerFactory FACTORY = new JruncLoggerFactory();

  /** jrunc's logger factory: the CLI hands it to runtime-core, and its provider serves it. */
  public static ILoggerFactory factory() {
    return FACTORY;
  }

  /** The CLI's own logger named after {@code type}. */
  public static Logger logger(Class<?> type) {
    return FACTORY.getLogger(type.getName());
  }

  /**
   * Sets the threshold, line format and destination.
   *
   * @param level the most verbose level written ({@code --debug} gives DEBUG)
   * @param fmt the line format
   * @param logFile the file to append to ({@code --log}), or null for stderr
   * @throws IOException if the file cannot be opened for appending
   */
  public static synchronized void configure(Level level, LogFormat fmt, Path logFile)
      throws IOException {
    OutputStream out = null;
    if (logFile != null) {
      // runc opens its log O_CREAT|O_WRONLY|O_APPEND|O_SYNC, mode 0644: an engine may read it
      // while we still run, so each line is one append write.
      out =
          Files.newOutputStream(
              logFile,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.APPEND,
              StandardOpenOption.SYNC);
    }
    OutputStream old = file;
    file = out;
    filePath = logFile;
    threshold = level;
    format = fmt;
    if (old != null) {
      try {
        old.close();
      } catch (IOException ignored) {
        // the previous sink is being replaced; nothing useful can be done with a close error
      }
    }
  }

  /** Back to the defaults (error, text, stderr); for tests. */
  public static synchronized void reset() {
    try {
      configure(Level.ERROR, LogFormat.TEXT, null);
    } catch (IOException e) {
      throw new IllegalStateException(e); // no file is opened, so this cannot happen
    }
  }

  /** True when records go to stderr (no {@code --log} file). */
  public static boolean writesToStderr() {
    return file == null;
  }

  /** The {@code --log} file, or null. */
  public static Path logFile() {
    return filePath;
  }

  /** The configured format. */
  public static LogFormat format() {
    return format;
  }

  /** True if records at this level are written. */
  public static boolean enabled(Level level) {
    return level.toInt() >= threshold.toInt();
  }

  /**
   * Writes one error record (if errors are enabled), as {@code logger.error(message)} of this
   * provider does but without SLF4J: for the CLI's final error line.
   */
  public static void error(String message) {
    write(Level.ERROR, message, null, null);
  }

  /** Formats and writes one record if its level is enabled. */
  static void write(Level level, String message, List<KeyValuePair> fields, Throwable error) {
    if (!enabled(level)) {
      return;
    }
    String line =
        LogLine.format(format, level, message, fields, error) + "\n";
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    synchronized (JruncLogging.class) {
      OutputStream out = file;
      try {
        if (out != null) {
          out.write(bytes);
          out.flush();
        } else {
          PrintStream err = System.err;
          err.write(bytes);
          err.flush();
        }
      } catch (IOException e) {
        // A log line that cannot be written must not turn into a second failure; the CLI also
        // prints the final error on stderr when a log file is used.
      }
    }
  }
}
