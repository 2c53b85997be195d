package io.jrunc.core.api.host;

import io.jrunc.core.log.Logs;
import org.slf4j.ILoggerFactory;

/**
 * The runtime logs through SLF4J's API and by default finds the binding as any library does
 * ({@code LoggerFactory}). A front end that cannot or need not have SLF4J look for one (the CLI,
 * run from the boot class path, where that lookup is a service-loader scan of the jar) hands the
 * runtime its logger factory here, before the first container call.
 */
public final class LoggerBinding {
  private LoggerBinding() {}

  /** The runtime's loggers come from {@code factory} from now on, in this JVM. */
  public static void use(ILoggerFactory factory) {
    Logs.install(factory);
  }
}
