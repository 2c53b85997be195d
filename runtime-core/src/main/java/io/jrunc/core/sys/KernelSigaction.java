package io.jrunc.core.sys;

import static io.jrunc.core.sys.Struct.*;

/**
 * The {@code struct sigaction} that the rt_sigaction(2) system call takes (the kernel's, not
 * glibc's: {@code arch/x86/include/asm/signal.h}; aarch64's generic one has the same fields with
 * {@code SA_RESTORER}; 32 bytes), and the kernel's {@code sigset_t} (64 signals, 8 bytes: the
 * {@code sigsetsize} argument of rt_sigaction and rt_sigprocmask):
 *
 * <pre>{@code
 * struct sigaction {
 *     __sighandler_t sa_handler;  //  0  SIG_DFL = 0
 *     unsigned long  sa_flags;    //  8  SA_*
 *     __sigrestore_t sa_restorer; // 16
 *     sigset_t       sa_mask;     // 24
 * };
 * }</pre>
 */
public final class KernelSigaction {
  private KernelSigaction() {}

  /** The kernel's {@code sigset_t}: bit n-1 is signal n. */
  public static final Struct SIGSET = Struct.of("sigset_t", u64("sig"));

  public static final Struct LAYOUT = Struct.of("sigaction",
      u64("sa_handler"), u64("sa_flags"), u64("sa_restorer"), u64("sa_mask"));

  /** {@code SIG_DFL}: the default action. */
  public static final long SIG_DFL = 0;

  /** {@code SA_RESTORER}: x86-64's kernel sets a handler's frame up only with a restorer. */
  public static final long SA_RESTORER = 0x04000000L;

  /** Where the u64 fields of {@link #defaultFields} begin: for a builder that stages them. */
  public static final long FIELDS = LAYOUT.consecutiveLongs("sa_handler", "sa_flags", "sa_restorer", "sa_mask");

  /**
   * {@code handler} with SA_RESTORER and {@code restorer}, every signal blocked while it runs:
   * consecutive u64 from {@link #FIELDS}.
   */
  public static long[] handlerFields(long handler, long restorer) {
    return new long[] {handler, SA_RESTORER, restorer, -1L};
  }

  /** The default action, no flags, nothing blocked, as consecutive u64 from {@link #FIELDS}. */
  public static long[] defaultFields() {
    return new long[] {SIG_DFL, 0, 0, 0};
  }
}
