package io.jrunc.core.sys;

import static io.jrunc.core.sys.Struct.*;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct clone_args} of clone3(2) ({@code <linux/sched.h>}), as of Linux 5.7
 * ({@code CLONE_ARGS_SIZE_VER2}, 88 bytes; the kernel takes the struct's size as clone3's second
 * argument, so the fields jrunc does not set are zero):
 *
 * <pre>{@code
 * struct clone_args {
 *     __aligned_u64 flags;        //  0  CLONE_* (Clone)
 *     __aligned_u64 pidfd;        //  8  int * for CLONE_PIDFD
 *     __aligned_u64 child_tid;    // 16
 *     __aligned_u64 parent_tid;   // 24
 *     __aligned_u64 exit_signal;  // 32  SIGCHLD, or 0
 *     __aligned_u64 stack;        // 40
 *     __aligned_u64 stack_size;   // 48
 *     __aligned_u64 tls;          // 56
 *     __aligned_u64 set_tid;      // 64  (5.5)
 *     __aligned_u64 set_tid_size; // 72  (5.5)
 *     __aligned_u64 cgroup;       // 80  fd for CLONE_INTO_CGROUP (5.7)
 * };
 * }</pre>
 */
public final class CloneArgs {
  private CloneArgs() {}

  public static final Struct LAYOUT = Struct.of("clone_args",
      u64("flags"), u64("pidfd"), u64("child_tid"), u64("parent_tid"), u64("exit_signal"), u64("stack"),
      u64("stack_size"), u64("tls"), u64("set_tid"), u64("set_tid_size"), u64("cgroup"));

  /** {@code CLONE_ARGS_SIZE_VER2}: clone3's {@code size} argument. */
  public static final long SIZE_VER2 = LAYOUT.byteSize();

  static final long FLAGS = LAYOUT.offset("flags"),
      PIDFD = LAYOUT.offset("pidfd"),
      EXIT_SIGNAL = LAYOUT.offset("exit_signal"),
      CGROUP = LAYOUT.offset("cgroup");

  /**
   * Fills the fields jrunc uses; the others keep their (zeroed) contents.
   *
   * @param pidfd the address of an {@code int} the kernel stores the pidfd in, or 0
   * @param cgroup a cgroup v2 directory fd (with {@code CLONE_INTO_CGROUP}), or 0
   */
  public static MemorySegment write(MemorySegment args, long flags, long pidfd, long exitSignal, long cgroup) {
    Memory.setLong(args, FLAGS, flags);
    Memory.setLong(args, PIDFD, pidfd);
    Memory.setLong(args, EXIT_SIGNAL, exitSignal);
    Memory.setLong(args, CGROUP, cgroup);
    return args;
  }
}
