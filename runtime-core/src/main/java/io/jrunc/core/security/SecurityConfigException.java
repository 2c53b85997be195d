package io.jrunc.core.security;

/**
 * A security setting in config.json that cannot be honoured: an unknown seccomp action, an
 * AppArmor profile on a host without AppArmor, ... The message is the one sentence the user
 * sees and starts with the JSON path, e.g. {@code linux.seccomp.syscalls[2].action: unknown
 * seccomp action "SCMP_ACT_FOO"}.
 */
public class SecurityConfigException extends IllegalArgumentException {
  public SecurityConfigException(String message) {
    super(message);
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
