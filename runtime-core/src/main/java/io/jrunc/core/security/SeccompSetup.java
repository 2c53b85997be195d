package io.jrunc.core.security;

import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.sys.SockFprog;
import io.jrunc.core.sys.Sys;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Emits the child's one seccomp step. The filter was compiled in the parent
 * ({@link SeccompCompiler}); here it is copied into the program's memory with its
 * {@code struct sock_fprog} header.
 *
 * <p>Where the lead places the step (runc's standard_init_linux.go): loading a filter needs
 * {@code no_new_privs} or {@code CAP_SYS_ADMIN}. With {@code process.noNewPrivileges} the step
 * goes last, right before {@code execve} (after {@link CapabilitySetup#emitNoNewPrivileges}),
 * so that the profile need not allow the runtime's own calls; without it, it goes before the
 * capabilities are dropped ({@link CapabilitySetup#emitBeforeUserSwitch}), while we still hold
 * CAP_SYS_ADMIN. Every step after it runs under the filter.
 *
 * <p>With a listener ({@code SECCOMP_FILTER_FLAG_NEW_LISTENER}) the result of the returned step
 * is the listener fd, which the kernel opens close-on-exec. {@link #emitHandOff} gives it to the
 * runtime without any call a profile may send to the agent (see there).
 */
public final class SeccompSetup {
  private SeccompSetup() {}

  /** {@code SECCOMP_SET_MODE_FILTER} (linux/seccomp.h). */
  public static final long SECCOMP_SET_MODE_FILTER = 1;

  /** Loads the filter, with a listener when it {@link CompiledSeccomp#usesNotify() uses NOTIFY}. */
  public static Step emit(ProgramBuilder b, CompiledSeccomp c) {
    return emit(b, c, c.usesNotify());
  }

  /**
   * The filter behind its {@link SockFprog} header. Without {@code newListener} a NOTIFY rule
   * has nobody to ask and the kernel fails the call with ENOSYS (seccomp_do_user_notification).
   */
  public static Step emit(ProgramBuilder b, CompiledSeccomp c, boolean newListener) {
    MemorySegment prog = b.bytes(c.program());
    MemorySegment fprog = SockFprog.write(b.alloc(SockFprog.LAYOUT), c.instructions(), prog);
    long flags = c.filterFlags() | (newListener ? SeccompCompiler.FLAG_NEW_LISTENER : 0);
    return b.call(Sys.SECCOMP, SECCOMP_SET_MODE_FILTER, flags, fprog)
        .describe("load the seccomp filter (", c.instructions(), " BPF instructions)");
  }

  /**
   * The child's side of the listener hand-off, right after the filter is loaded. Every call
   * here runs under the filter, and a NOTIFY'd call blocks until an agent answers, which it
   * cannot before it has the listener. So the fd is not sent ({@code sendmsg}, {@code close}
   * may be NOTIFY'd, a deadlock): as runc's syncParentSeccomp does, the child only
   * {@code write}s the fd's number on the report pipe ({@code write} is the one call a profile
   * may not NOTIFY, see {@link SeccompCompiler}); the runtime copies the fd out of the child
   * with {@code pidfd_getfd(2)} and hands it to the agent, then writes one byte on
   * {@code ackFd}'s pipe. The child's {@code read} of that byte may be NOTIFY'd: the agent
   * has the listener by then. The child's own copy of the listener is close-on-exec, so no
   * {@code close} follows.
   *
   * <table>
   *   <caption>Steps</caption>
   *   <tr><th>child</th><th>runtime</th></tr>
   *   <tr><td>{@code write(report, {index of the seccomp step, listener fd}, 16)}</td><td>an
   *       announcement of the seccomp step: {@code pidfd_getfd}, connect to the agent, send
   *       state + fd</td></tr>
   *   <tr><td>{@code read(ackFd, 1)}; EOF (the runtime gave up or died) fails the step</td><td>write
   *       one byte on the other end</td></tr>
   * </table>
   *
   * @param seccompStep the step {@link #emit} returned for a filter with a listener
   * @param reportFd the spawn channel's report pipe (child's write end)
   * @param ackFd the read end of a pipe whose write end the runtime keeps
   */
  public static List<Step> emitHandOff(ProgramBuilder b, Step seccompStep, int reportFd, int ackFd) {
    Step announce = b.call(Sys.WRITE, b.inherit(reportFd), seccompStep.reportSlot(), 16L).atLeast(16)
        .describe("announce the seccomp listener fd to the runtime");
    Step wait = b.call(Sys.READ, b.inherit(ackFd), b.alloc(8), 1L).atLeast(1)
        .describe("wait for the runtime to hand the seccomp listener to the agent");
    return List.of(announce, wait);
  }
}
