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
  private final boolean said;

  public StepFailedException(String operation, int step, long result) {
    this(operation, step, result, false);
  }

  /** {@code said}: the step had a {@link Step#sayOnFailure}, so the child wrote it to its fd 2 too. */
  public StepFailedException(String operation, int step, long result, boolean said) {
    super(result < 0
        ? operation + ": " + Errno.describe((int) -result)
        : operation + ": unexpected result " + result);
    this.operation = operation;
    this.step = step;
    this.errno = result < 0 ? (int) -result : 0;
    this.said = said;
  }

  public String operation() { return operation; }
  public int step() { return step; }
  /** The errno, or 0 when the step returned a value below its minimum (EOF on a read). */
  public int errno() { return errno; }
  /** Whether the child also wrote this failure to its stderr before its report ({@link Step#sayOnFailure}). */
  public boolean said() { return said; }
}
