package io.jrunc.core.log;

import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the runtime's loggers come from: SLF4J's {@link LoggerFactory}, which finds its binding
 * as SLF4J does for any library, unless a front end installed a logger factory of its own
 * ({@link io.jrunc.core.api.host.LoggerBinding}).
 *
 * <p>Why a front end may: SLF4J's bootstrap on the first logger call (its provider found by
 * reflection, its notes formatted with {@code String.format}) cost the CLI's cold JVM ~25 ms on
 * every call that logs a warning or runs a hook (a create whose cgroup holds another container's
 * processes: 67.5 -> 40.5 ms in round 22 of issue 14), and a JVM that runs the CLI from
 * the boot class path cannot take a named provider at all: SLF4J loads it through
 * {@code LoggerFactory}'s class loader, null there.
 */
public final class Logs {
  private Logs() {}

  private static volatile ILoggerFactory installed;

  /** Makes {@link #get} hand out {@code factory}'s loggers from now on. */
  public static void install(ILoggerFactory factory) {
    installed = factory;
  }

  /** The logger named after {@code type}. */
  public static Logger get(Class<?> type) {
    ILoggerFactory f = installed;
    return f != null ? f.getLogger(type.getName()) : LoggerFactory.getLogger(type);
  }
}
