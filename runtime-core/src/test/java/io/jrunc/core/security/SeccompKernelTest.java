package io.jrunc.core.security;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.sys.UnixSockets;
import io.jrunc.spec.LinuxSeccomp;
import io.jrunc.spec.LinuxSyscall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/**
 * The compiled filters on the real kernel, before the trampoline exists: seccomp filters and
 * no_new_privs are per thread, so a fresh Java thread can load one and make system calls
 * under it while the rest of the JVM is untouched. Only non-fatal actions are tried here
 * (a KILL would take a JVM thread down); KILL/SIGSYS is tested through the trampoline.
 */
class SeccompKernelTest {
  static final int NOT_A_PID = 999_999;

  /** Runs {@code body} on a new daemon thread after loading {@code c} there; {@code onLoaded} gets seccomp()'s result. */
  static <T> T underFilter(CompiledSeccomp c, long extraFlags, IntConsumer onLoaded, Callable<T> body) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread t = Thread.ofPlatform().daemon().unstarted(() -> {
      try (Arena a = Arena.ofConfined()) {
        MemorySegment prog = a.allocate(c.program().length, 8);
        MemorySegment.copy(c.program(), 0, prog, JAVA_BYTE, 0, c.program().length);
        MemorySegment fprog = a.allocate(16, 8);
        fprog.set(JAVA_SHORT, 0, (short) c.instructions());
        fprog.set(ADDRESS, 8, prog);
        long nnp = Libc.syscallRaw(Sys.PRCTL, 38 /* PR_SET_NO_NEW_PRIVS */, 1, 0, 0, 0, 0);
        if (nnp != 0) throw new IllegalStateException("prctl(PR_SET_NO_NEW_PRIVS): " + nnp);
        long r = Libc.syscallRaw(Sys.SECCOMP, SeccompSetup.SECCOMP_SET_MODE_FILTER,
            c.filterFlags() | extraFlags, fprog.address(), 0, 0, 0);
        if (r < 0) throw new IllegalStateException("seccomp(SET_MODE_FILTER): " + r);
        onLoaded.accept((int) r);
        result.complete(body.call());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    t.start();
    return result.get(30, TimeUnit.SECONDS);
  }

  static long kill(int pid, int sig) {
    return Libc.syscallRaw(Sys.KILL, pid, sig, 0, 0, 0, 0);
  }

  @Test
  void errnoRetIsWhatTheFilteredCallReturns() throws Exception {
    assertThat(kill(NOT_A_PID, 0)).isEqualTo(-3); // ESRCH without a filter
    CompiledSeccomp c = SeccompCompiler.compile(new LinuxSeccomp("SCMP_ACT_ALLOW", null, null, null, null, null,
        List.of(new LinuxSyscall(List.of("kill"), "SCMP_ACT_ERRNO", 66L, List.of(
            SeccompCompilerTest.arg(0, NOT_A_PID, 0, "SCMP_CMP_EQ"), SeccompCompilerTest.arg(1, 0, 0, "SCMP_CMP_EQ"))))));
    long[] seen = underFilter(c, 0, fd -> {}, () -> new long[] {kill(NOT_A_PID, 0), kill(NOT_A_PID - 1, 0),
        kill(NOT_A_PID, 9999), Libc.getpid()});
    assertThat(seen[0]).isEqualTo(-66);
    assertThat(seen[1]).isEqualTo(-3);
    assertThat(seen[2]).isEqualTo(-3); // the second condition (sig == 0) does not match: ESRCH again
    assertThat(seen[3]).isEqualTo(Libc.getpid());
    assertThat(kill(NOT_A_PID, 0)).isEqualTo(-3); // this thread is unaffected
  }

  @Test
  void podmanProfileLetsTheJvmRunAndRefusesWhatItShould() throws Exception {
    assumeTrue(PodmanProfile.present(), "podman's seccomp.json not installed");
    CompiledSeccomp c = SeccompCompiler.compile(PodmanProfile.load());
    assertThat(Libc.syscallRaw(Sys.BPF, 9999, 0, 0, 0, 0, 0)).isEqualTo(-22); // EINVAL: no such bpf command
    long[] seen = underFilter(c, 0, fd -> {}, () -> {
      String s = String.join(",", List.of("a", "b")) + new java.util.HashMap<>(java.util.Map.of(1, 2));
      return new long[] {Libc.syscallRaw(Sys.BPF, 9999, 0, 0, 0, 0, 0), Libc.getpid(), s.length()};
    });
    assertThat(seen[0]).isEqualTo(-1); // EPERM: bpf needs CAP_SYS_ADMIN in podman's profile
    assertThat(seen[1]).isEqualTo(Libc.getpid());
  }

  @Test
  void notifyListenerFdTravelsOverScmRightsAndAnswersTheCall() throws Exception {
    CompiledSeccomp c = SeccompCompiler.compile(new LinuxSeccomp("SCMP_ACT_ALLOW", null, null, null, "/unused", null,
        List.of(new LinuxSyscall(List.of("kill"), "SCMP_ACT_NOTIFY", null,
            List.of(SeccompCompilerTest.arg(0, NOT_A_PID, 0, "SCMP_CMP_EQ"))))));
    assertThat(c.usesNotify()).isTrue();
    int[] pair = UnixSockets.socketpair();
    CompletableFuture<Integer> received = new CompletableFuture<>();
    CompletableFuture<long[]> filtered = CompletableFuture.supplyAsync(() -> {
      try {
        return underFilter(c, SeccompCompiler.FLAG_NEW_LISTENER, listener -> {
          try {
            // what the child does: pass the listener fd to the parent, then close its copy
            UnixSockets.sendFd(pair[0], listener, "seccomp".getBytes());
            Libc.close(listener);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, () -> new long[] {kill(NOT_A_PID, 0), kill(NOT_A_PID, 7)});
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    UnixSockets.Received r = UnixSockets.recv(pair[1], 64);
    assertThat(new String(r.payload())).isEqualTo("seccomp");
    int listener = r.fd();
    assertThat(listener).isGreaterThan(2);
    try (Arena a = Arena.ofConfined()) {
      for (int i = 0; i < 2; i++) {
        MemorySegment notif = a.allocate(80, 8); // struct seccomp_notif, zeroed as the kernel requires
        long rc = Libc.syscallRaw(Sys.IOCTL, listener, 0xC0502100L /* SECCOMP_IOCTL_NOTIF_RECV */, notif.address(), 0, 0, 0);
        assertThat(rc).isZero();
        assertThat(notif.get(JAVA_INT, 16)).isEqualTo(62); // data.nr = kill
        assertThat(notif.get(JAVA_LONG, 32)).isEqualTo(NOT_A_PID); // data.args[0]
        long sig = notif.get(JAVA_LONG, 40);
        MemorySegment resp = a.allocate(24, 8); // struct seccomp_notif_resp
        resp.set(JAVA_LONG, 0, notif.get(JAVA_LONG, 0));
        resp.set(JAVA_INT, 16, (int) -(40 + sig)); // error: ELOOP for sig 0, 47 for sig 7
        rc = Libc.syscallRaw(Sys.IOCTL, listener, 0xC0182101L /* SECCOMP_IOCTL_NOTIF_SEND */, resp.address(), 0, 0, 0);
        assertThat(rc).isZero();
      }
    } finally {
      Libc.close(listener);
      Libc.close(pair[0]);
      Libc.close(pair[1]);
    }
    long[] seen = filtered.get(30, TimeUnit.SECONDS);
    assertThat(seen).containsExactly(-40, -47);
  }

  @Test
  void enosysForSyscallsNewerThanTheProfileOnTheKernel() throws Exception {
    assumeTrue(PodmanProfile.present(), "podman's seccomp.json not installed");
    LinuxSeccomp podman = PodmanProfile.load();
    // An old-style profile: default EPERM, nothing numbered 434 or above, no keyctl.
    java.util.List<LinuxSyscall> older = new java.util.ArrayList<>();
    for (LinuxSyscall c : podman.syscalls()) {
      java.util.List<String> names = c.names().stream().filter(n -> {
        int nr = io.jrunc.core.sys.LibSeccomp.syscallResolveName(n);
        return nr < 434 && !n.equals("keyctl");
      }).toList();
      if (!names.isEmpty()) older.add(new LinuxSyscall(names, c.action(), c.errnoRet(), c.args()));
    }
    CompiledSeccomp c = SeccompCompiler.compile(new LinuxSeccomp("SCMP_ACT_ERRNO", 1L, podman.architectures(), null,
        null, null, older));
    long[] seen = underFilter(c, 0, fd -> {}, () -> new long[] {
        Libc.syscallRaw(Sys.OPENAT2, -100, 0, 0, 0, 0, 0),       // 437: newer than the profile
        Libc.syscallRaw(Sys.MOUNT_SETATTR, -1, 0, 0, 0, 0, 0),   // 442
        Libc.syscallRaw(Sys.KEYCTL, 0, 0, 0, 0, 0, 0),           // 250: known but not allowed
        Libc.getpid()});
    assertThat(seen[0]).isEqualTo(-38);
    assertThat(seen[1]).isEqualTo(-38);
    assertThat(seen[2]).isEqualTo(-1);
    assertThat(seen[3]).isEqualTo(Libc.getpid());
  }
}
