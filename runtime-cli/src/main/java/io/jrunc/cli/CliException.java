package io.jrunc.cli;

/**
 * A command failed: the message is the one line logged (and shown on stderr), the exit code is
 * what the process exits with (1 unless a command says otherwise, e.g. {@code run} passing on
 * its container's status).
 */
public class CliException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public CliException(String message) {
    this(message, 1, null);
  }

  public CliException(String message, Throwable cause) {
    this(message, 1, cause);
  }

  public CliException(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** The process exit status for this failure. */
  public int exitCode() {
    return exitCode;
  }

  /**
   * The error of a command whose implementation is not wired to runtime-core yet. Kept as one
   * factory so that {@code grep notImplemented} lists what is left to wire.
   */
  public static CliException notImplemented(String command) {
    return new CliException("jrunc: " + command + ": not implemented yet");
  }
}
