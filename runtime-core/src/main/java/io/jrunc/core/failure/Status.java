package io.jrunc.core.failure;

/**
 * A container's status as the verbs derive it ({@code io.jrunc.core.container.StatusDerivation}): the spec's statuses
 * plus runc's {@code paused}. The API's {@code ContainerStatus} has the same constants, by name.
 */
public enum Status {
  CREATING, CREATED, RUNNING, PAUSED, STOPPED;

  /**
   * The spelling in {@code state} output: {@code created}. Literals, not {@code
   * name().toLowerCase()}: that used the default locale (under a Turkish one CREATING became
   * "creatıng") and initialised Locale on every {@code state} call.
   */
  public String text() {
    return switch (this) {
      case CREATING -> "creating";
      case CREATED -> "created";
      case RUNNING -> "running";
      case PAUSED -> "paused";
      case STOPPED -> "stopped";
    };
  }
}
