package io.jrunc.core.sys;

/** {@code prctl(2)} options and arguments ({@code <linux/prctl.h>}) the child programs use. */
public final class Prctl {
  private Prctl() {}

  public static final int PR_SET_PDEATHSIG = 1, PR_SET_DUMPABLE = 4, PR_SET_KEEPCAPS = 8, PR_CAPBSET_DROP = 24,
      PR_SET_NO_NEW_PRIVS = 38, PR_CAP_AMBIENT = 47;
  /** {@code PR_CAP_AMBIENT}'s second argument. */
  public static final int PR_CAP_AMBIENT_RAISE = 2, PR_CAP_AMBIENT_CLEAR_ALL = 4;
}
