package io.jrunc.core.failure;

/** The container's status does not allow the operation (start a running container, kill a stopped one). */
public final class InvalidStateFailure extends ContainerFailure {
  private final Status status;

  public InvalidStateFailure(String message, Status status) {
    super(message);
    this.status = status;
  }

  public Status status() {
    return status;
  }
}
