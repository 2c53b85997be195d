package io.jrunc.core.cgroup;

import java.io.IOException;

/**
 * A cgroup operation that failed: the message is the one sentence a user sees, naming the
 * field ({@code linux.resources.memory.limit}), the file and the errno where there is one.
 * Cheap like {@link io.jrunc.core.sys.SysException}: an expected outcome, no stack trace.
 */
public class CgroupException extends IOException {
  public CgroupException(String message) {
    super(message);
  }

  public CgroupException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
