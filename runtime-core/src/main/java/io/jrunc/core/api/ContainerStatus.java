package io.jrunc.core.api;

/** The spec's statuses plus runc's {@code paused}. */
public enum ContainerStatus {
  CREATING, CREATED, RUNNING, PAUSED, STOPPED;

  /** The spelling in {@code state} output: {@code created}. */
  public String text() {
    return name().toLowerCase();
  }
}
