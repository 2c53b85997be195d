package io.jrunc.core.api;

/** The container's status does not allow the operation (start a running container, kill a stopped one). */
public final class InvalidStateException extends ContainerException {
  private final ContainerStatus status;

  public InvalidStateException(String message, ContainerStatus status) {
    super(message);
    this.status = status;
  }

  public ContainerStatus status() {
    return status;
  }
}
