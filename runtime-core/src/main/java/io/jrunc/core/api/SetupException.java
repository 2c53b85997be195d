package io.jrunc.core.api;

/**
 * Setting up the container failed: a system call in the runtime or a step of the container's
 * child program. {@link #errno()} is the errno (0 when the cause was not a system call).
 */
public final class SetupException extends ContainerException {
  private final int errno;

  public SetupException(String message, int errno, Throwable cause) {
    super(message, cause);
    this.errno = errno;
  }

  public int errno() {
    return errno;
  }
}
