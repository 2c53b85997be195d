package io.jrunc.cli.log;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;

/** Hands out one {@link JruncLogger} per name. */
final class JruncLoggerFactory implements ILoggerFactory {
  private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();

  @Override
  public Logger getLogger(String name) {
    Logger l = loggers.get(name);
    if (l == null) {
      Logger fresh = new JruncLogger(name);
      l = loggers.putIfAbsent(name, fresh);
      if (l == null) {
        l = fresh;
      }
    }
    return l;
  }
}
