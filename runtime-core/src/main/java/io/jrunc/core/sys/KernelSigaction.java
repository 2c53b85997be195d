package io.jrunc.core.sys;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

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
  public static final ValueLayout.OfLong SIGSET = JAVA_LONG.withName("sigset_t");

  public static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_LONG.withName("sa_handler"),
      JAVA_LONG.withName("sa_flags"),
      JAVA_LONG.withName("sa_restorer"),
      SIGSET.withName("sa_mask")).withName("sigaction");

  /** {@code SIG_DFL}: the default action. */
  public static final long SIG_DFL = 0;

  static final long HANDLER = Memory.offset(LAYOUT, "sa_handler"),
      FLAGS = Memory.offset(LAYOUT, "sa_flags"),
      RESTORER = Memory.offset(LAYOUT, "sa_restorer"),
      MASK = Memory.offset(LAYOUT, "sa_mask");

  /** The default action, no flags, nothing blocked while it runs. */
  public static MemorySegment writeDefault(MemorySegment act) {
    Memory.setLong(act, HANDLER, SIG_DFL);
    Memory.setLong(act, FLAGS, 0);
    Memory.setLong(act, RESTORER, 0);
    Memory.setLong(act, MASK, 0);
    return act;
  }
}
