package io.jrunc.core.sys;

import java.io.IOException;

/**
 * A failed system call: the operation, the object it acted on, and the errno. Cheap (no stack
 * trace: it is an expected outcome, like the JDK's {@code UnixException}), and its message is
 * the sentence a user sees, e.g. {@code mount proc on /run/x/rootfs/proc: operation not
 * permitted (EPERM)}.
 */
public class SysException extends IOException {
  private final String operation;
  private final String target;
  private final int errno;

  public SysException(String operation, String target, int errno) {
    super(format(operation, target, errno), null);
    this.operation = operation;
    this.target = target;
    this.errno = errno;
  }

  public static String format(String operation, String target, int errno) {
    // String.concat, not +: an expected failure (a cgroup's leaf mkdir before its parent exists,
    // say) is made on paths the CLI's AOT training may not reach, and the first + at such a
    // site bootstraps a concatenation class at run time (~1 ms of a cold create)
    String what = target == null || target.isEmpty() ? operation : operation.concat(" ").concat(target);
    return what.concat(": ").concat(Errno.describe(errno));
  }

  public String operation() { return operation; }
  public String target() { return target; }
  public int errno() { return errno; }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
