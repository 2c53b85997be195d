package io.jrunc.core.failure;

/**
 * A container's status as the verbs derive it ({@code io.jrunc.core.container.StatusDerivation}): the spec's statuses
 * plus runc's {@code paused}. The API's {@code ContainerStatus} has the same constants, by name.
 */
public enum Status {
  CREATING, CREATED, RUNNING, PAUSED, STOPPED;

  /** The spelling in {@code state} output: {@code created}. */
  public String text() {
    return name().toLowerCase();
  }
}
