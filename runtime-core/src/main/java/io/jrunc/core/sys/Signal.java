package io.jrunc.core.sys;

/** Signal numbers (x86-64 and aarch64) and {@code rt_sigprocmask(2)}'s {@code how}. */
public final class Signal {
  private Signal() {}

  public static final int SIGKILL = 9, SIGTERM = 15, SIGCHLD = 17, SIGSTOP = 19, SIGWINCH = 28;
  /** {@code rt_sigprocmask(SIG_SETMASK, ...)}: replace the mask. */
  public static final int SIG_SETMASK = 2;
}
