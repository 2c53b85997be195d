package io.jrunc.core.sys;

import static io.jrunc.core.sys.Struct.*;

import java.lang.foreign.MemorySegment;

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

  static final long HANDLER = LAYOUT.offset("sa_handler"),
      FLAGS = LAYOUT.offset("sa_flags"),
      RESTORER = LAYOUT.offset("sa_restorer"),
      MASK = LAYOUT.offset("sa_mask");

  /** {@code SA_RESTORER}: x86-64's kernel sets a handler's frame up only with a restorer. */
  public static final long SA_RESTORER = 0x04000000L;

  /** {@code handler} with SA_RESTORER and {@code restorer}, every signal blocked while it runs. */
  public static MemorySegment writeHandler(MemorySegment act, long handler, long restorer) {
    Memory.setLong(act, HANDLER, handler);
    Memory.setLong(act, FLAGS, SA_RESTORER);
    Memory.setLong(act, RESTORER, restorer);
    Memory.setLong(act, MASK, -1L);
    return act;
  }

  /** The default action, no flags, nothing blocked while it runs. */
  public static MemorySegment writeDefault(MemorySegment act) {
    Memory.setLong(act, HANDLER, SIG_DFL);
    Memory.setLong(act, FLAGS, 0);
    Memory.setLong(act, RESTORER, 0);
    Memory.setLong(act, MASK, 0);
    return act;
  }
}
