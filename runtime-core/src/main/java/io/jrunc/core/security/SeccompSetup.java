package io.jrunc.core.security;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.sys.Sys;
import java.lang.foreign.MemorySegment;

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
 * <p>With {@link CompiledSeccomp#usesNotify()} the result of the returned step is the listener
 * fd (SECCOMP_FILTER_FLAG_NEW_LISTENER); the lead sends it to the parent over the sync socket
 * ({@code sendmsg} with SCM_RIGHTS, the step result stored into the cmsg with
 * {@link Step#storeResultAt}), and the parent hands it on with {@link SeccompNotify#send}. The
 * fd must then be closed in the child before {@code execve} (it is not CLOEXEC).
 */
public final class SeccompSetup {
  private SeccompSetup() {}

  /** {@code SECCOMP_SET_MODE_FILTER} (linux/seccomp.h). */
  public static final long SECCOMP_SET_MODE_FILTER = 1;

  /**
   * {@code struct sock_fprog { unsigned short len; struct sock_filter *filter; }}: 16 bytes on
   * 64-bit, the pointer at offset 8.
   */
  public static Step emit(ProgramBuilder b, CompiledSeccomp c) {
    MemorySegment prog = b.bytes(c.program());
    MemorySegment fprog = b.alloc(16);
    fprog.set(JAVA_SHORT, 0, (short) c.instructions());
    fprog.set(ADDRESS, 8, prog);
    long flags = c.filterFlags() | (c.usesNotify() ? SeccompCompiler.FLAG_NEW_LISTENER : 0);
    return b.call(Sys.SECCOMP, SECCOMP_SET_MODE_FILTER, flags, fprog)
        .describe("load the seccomp filter (" + c.instructions() + " BPF instructions)");
  }
}
