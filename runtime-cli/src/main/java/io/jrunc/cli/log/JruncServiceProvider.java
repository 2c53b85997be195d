package io.jrunc.cli.log;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * jrunc's own SLF4J 2 binding: a few classes instead of a logging framework, so that a CLI call
 * (a fresh JVM each time) loads as little as possible. Registered in
 * {@code META-INF/services/org.slf4j.spi.SLF4JServiceProvider}; the CLI also names it in the
 * {@code slf4j.provider} system property, which lets SLF4J skip the service-loader scan.
 */
public final class JruncServiceProvider implements SLF4JServiceProvider {
  /** The SLF4J API version this provider is written against. */
  public static final String REQUESTED_API_VERSION = "2.0.99";

  private ILoggerFactory loggerFactory;
  private IMarkerFactory markerFactory;
  private MDCAdapter mdcAdapter;

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggerFactory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markerFactory;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdcAdapter;
  }

  @Override
  public String getRequestedApiVersion() {
    return REQUESTED_API_VERSION;
  }

  @Override
  public void initialize() {
    loggerFactory = JruncLogging.factory();
    markerFactory = new BasicMarkerFactory();
    // MDC is not printed by runc-style lines; a no-op adapter keeps MDC calls harmless.
    mdcAdapter = new NOPMDCAdapter();
  }
}
