package io.jrunc.core.spawn;

import io.jrunc.core.sys.Errno;

/**
 * A step of the child program failed: the child reported {index, result} and exited. The
 * message is the step's description and the errno: {@code mount proc on /proc: operation not
 * permitted (EPERM)}.
 */
public final class StepFailedException extends Exception {
  private final String operation;
  private final int step;
  private final int errno;

  public StepFailedException(String operation, int step, long result) {
    super(result < 0
        ? operation + ": " + Errno.describe((int) -result)
        : operation + ": unexpected result " + result);
    this.operation = operation;
    this.step = step;
    this.errno = result < 0 ? (int) -result : 0;
  }

  public String operation() { return operation; }
  public int step() { return step; }
  /** The errno, or 0 when the step returned a value below its minimum (EOF on a read). */
  public int errno() { return errno; }
}
