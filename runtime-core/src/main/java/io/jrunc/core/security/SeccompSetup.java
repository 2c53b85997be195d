package io.jrunc.core.security;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
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

  /**
   * The child's side of the listener hand-off: {@code sendmsg(sock, "S", SCM_RIGHTS [listener])}
   * then {@code close(listener)}. The listener fd is only known at run time, so the seccomp
   * step stores its result straight into the control message ({@link Step#storeResultAt}).
   * The parent receives it with {@code UnixSockets.recvFd(sock's peer)}; {@code sock} must be
   * a unix socket (a pipe cannot carry fds).
   *
   * @param seccompStep the step {@link #emit} returned for a filter that {@code usesNotify}
   */
  public static List<Step> emitSendListener(ProgramBuilder b, Step seccompStep, int sock) {
    MemorySegment payload = b.bytes(new byte[] {'S'});
    MemorySegment iov = b.alloc(16);
    iov.set(ADDRESS, 0, payload);
    iov.set(JAVA_LONG, 8, 1);
    // CMSG_SPACE(sizeof(int)) = 24: cmsg_len = CMSG_LEN(4) = 20, SOL_SOCKET, SCM_RIGHTS, fd
    MemorySegment cmsg = b.alloc(24);
    cmsg.set(JAVA_LONG, 0, 20);
    cmsg.set(JAVA_INT, 8, 1);
    cmsg.set(JAVA_INT, 12, 1);
    seccompStep.storeResultAt(cmsg.asSlice(16, 4));
    MemorySegment msg = b.alloc(56);
    msg.set(ADDRESS, 16, iov);
    msg.set(JAVA_LONG, 24, 1);
    msg.set(ADDRESS, 32, cmsg);
    msg.set(JAVA_LONG, 40, 24);
    Step send = b.call(Sys.SENDMSG, b.inherit(sock), msg, 0x4000L /* MSG_NOSIGNAL */).atLeast(1)
        .describe("send the seccomp listener fd to the runtime (sendmsg SCM_RIGHTS)");
    Step close = b.call(Sys.CLOSE, seccompStep).describe("close the seccomp listener fd");
    return List.of(send, close);
  }
}
