package io.jrunc.core.failure;

/**
 * Setting up the container failed: a system call in the runtime or a step of the container's
 * child program. The message names the operation, the path and the errno
 * ({@code mount proc on /run/x/rootfs/proc: operation not permitted (EPERM)}); the parts are
 * kept apart where known.
 */
public final class SetupFailure extends ContainerFailure {
  private final int errno;
  private final String operation;
  private final String path;
  private final boolean saidOnStderr;

  public SetupFailure(String message, int errno, Throwable cause) {
    this(message, null, null, errno, cause);
  }

  public SetupFailure(String message, String operation, String path, int errno, Throwable cause) {
    this(message, operation, path, errno, false, cause);
  }

  public SetupFailure(String message, String operation, String path, int errno, boolean saidOnStderr, Throwable cause) {
    super(message, cause);
    this.errno = errno;
    this.operation = operation;
    this.path = path;
    this.saidOnStderr = saidOnStderr;
  }

  /** The errno, 0 when the cause was not a system call. */
  public int errno() {
    return errno;
  }

  /** The failed system call or operation ({@code "open"}, {@code "mount"}), or null when not known. */
  public String operation() {
    return operation;
  }

  /** What it was done to (a path, a pid), or null when not known. */
  public String path() {
    return path;
  }

  /**
   * Whether the container's init also wrote this failure to the process's stderr before it
   * exited 1, as runc's init does: the execve after start ({@code exec /x: exec format
   * error}). A caller that shows the process's output has shown it already.
   */
  public boolean saidOnStderr() {
    return saidOnStderr;
  }
}
