package io.jrunc.core.api;

/** A running {@link ContainerRuntime#watchOom} watch; closing it stops it (idempotent). */
public interface OomWatch extends AutoCloseable {
  /** The watched container. */
  String id();

  @Override
  void close();
}
