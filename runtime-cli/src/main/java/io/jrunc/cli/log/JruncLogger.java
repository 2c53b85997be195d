package io.jrunc.cli.log;

import java.util.List;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/**
 * An SLF4J logger that writes runc-style lines through {@link JruncLogging}. Logger names are
 * not printed (runc's lines carry none); key-value pairs from the fluent API become fields.
 */
final class JruncLogger extends AbstractLogger implements LoggingEventAware {
  private static final long serialVersionUID = 1L;

  JruncLogger(String name) {
    this.name = name;
  }

  @Override
  public boolean isTraceEnabled() {
    return JruncLogging.enabled(Level.TRACE);
  }

  @Override
  public boolean isTraceEnabled(Marker marker) {
    return isTraceEnabled();
  }

  @Override
  public boolean isDebugEnabled() {
    return JruncLogging.enabled(Level.DEBUG);
  }

  @Override
  public boolean isDebugEnabled(Marker marker) {
    return isDebugEnabled();
  }

  @Override
  public boolean isInfoEnabled() {
    return JruncLogging.enabled(Level.INFO);
  }

  @Override
  public boolean isInfoEnabled(Marker marker) {
    return isInfoEnabled();
  }

  @Override
  public boolean isWarnEnabled() {
    return JruncLogging.enabled(Level.WARN);
  }

  @Override
  public boolean isWarnEnabled(Marker marker) {
    return isWarnEnabled();
  }

  @Override
  public boolean isErrorEnabled() {
    return JruncLogging.enabled(Level.ERROR);
  }

  @Override
  public boolean isErrorEnabled(Marker marker) {
    return isErrorEnabled();
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] args, Throwable throwable) {
    String msg = MessageFormatter.basicArrayFormat(pattern, args);
    JruncLogging.write(level, msg, null, throwable);
  }

  /** The fluent API ({@code log.atError().addKeyValue("id", id).log("...")}) lands here. */
  @Override
  public void log(LoggingEvent event) {
    Level level = event.getLevel();
    if (!JruncLogging.enabled(level)) {
      return;
    }
    Object[] args = event.getArgumentArray();
    String msg = MessageFormatter.basicArrayFormat(event.getMessage(), args);
    List<KeyValuePair> kvs = event.getKeyValuePairs();
    JruncLogging.write(level, msg, kvs, event.getThrowable());
  }
}
