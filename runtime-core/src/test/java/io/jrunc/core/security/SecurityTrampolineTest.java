package io.jrunc.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.spawn.Spawner;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.spawn.StepFailedException;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.sys.UnixSockets;
import io.jrunc.spec.LinuxCapabilities;
import io.jrunc.spec.LinuxSeccomp;
import io.jrunc.spec.LinuxSyscall;
import io.jrunc.spec.State;
import io.jrunc.testsupport.RequiresRoot;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security emitters in a real child started by the trampoline ({@link Spawner}): the child
 * runs only the planned system calls, then {@code execve}s a shell whose behaviour we observe.
 */
class SecurityTrampolineTest {
  @TempDir Path tmp;

  record Run(int exit, String out) {}

  /** Plans {@code security} steps, then stdout/stderr to a file and exec of {@code argv}. */
  Run run(Consumer<ProgramBuilder> security, List<String> argv) throws Exception {
    Path out = tmp.resolve("out-" + System.nanoTime());
    try (SpawnChannel ch = new SpawnChannel(); ProgramBuilder b = new ProgramBuilder()) {
      Step fd = b.call(Sys.OPENAT, (long) Open.AT_FDCWD, out.toString(), (long) (Open.O_WRONLY | Open.O_CREAT), 0644L)
          .describe("open " + out);
      b.call(Sys.DUP3, fd, 1L, 0L).describe("dup stdout");
      b.call(Sys.DUP3, fd, 2L, 0L).describe("dup stderr");
      security.accept(b);
      b.call(Sys.EXECVE, argv.get(0), b.stringArray(argv), b.stringArray(List.of("PATH=/bin:/usr/bin")))
          .describe("exec " + argv.get(0));
      ChildProgram p = b.build();
      Spawner.Child c = Spawner.clone(p, ch, 0, -1);
      Spawner.Report r = Spawner.next(p, ch, c.pid(), Set.of());
      assertThat(r.eof()).isTrue();
      int[] st = Libc.wait4(c.pid(), 0);
      return new Run(Libc.exitCode(st[1]), Files.readString(out));
    }
  }

  static LinuxSeccomp allowBut(LinuxSyscall... rules) {
    return new LinuxSeccomp("SCMP_ACT_ALLOW", null, null, null, null, null, List.of(rules));
  }

  @Test
  void killActionEndsTheProcessWithSigsys() throws Exception {
    CompiledSeccomp c = SeccompCompiler.compile(allowBut(
        new LinuxSyscall(List.of("mkdir", "mkdirat"), "SCMP_ACT_KILL", null, null)));
    Path dir = tmp.resolve("never");
    Run r = run(b -> {
      CapabilitySetup.emitNoNewPrivileges(b);
      SeccompSetup.emit(b, c);
    }, List.of("/bin/busybox", "mkdir", dir.toString()));
    assertThat(r.exit()).isEqualTo(159); // 128 + SIGSYS
    assertThat(dir).doesNotExist();
  }

  @Test
  void errnoRetIsWhatTheContainerSees() throws Exception {
    CompiledSeccomp c = SeccompCompiler.compile(allowBut(
        new LinuxSyscall(List.of("mkdir", "mkdirat"), "SCMP_ACT_ERRNO", 28L, null),
        new LinuxSyscall(List.of("rmdir", "unlinkat"), "SCMP_ACT_ERRNO", null, null)));
    Run r = run(b -> {
      CapabilitySetup.emitNoNewPrivileges(b);
      SeccompSetup.emit(b, c);
    }, List.of("/bin/busybox", "sh", "-c",
        "busybox mkdir " + tmp.resolve("d") + "; echo mkdir=$?; busybox rmdir " + tmp + "; echo rmdir=$?"));
    assertThat(r.out()).contains("No space left on device").contains("mkdir=1")
        .contains("Operation not permitted").contains("rmdir=1");
    assertThat(r.exit()).isZero();
  }

  @Test
  void podmanProfileLetsBusyboxShRun() throws Exception {
    assumeTrue(PodmanProfile.present(), "podman's seccomp.json not installed");
    CompiledSeccomp c = SeccompCompiler.compile(PodmanProfile.load());
    Run r = run(b -> {
      CapabilitySetup.emitNoNewPrivileges(b);
      SeccompSetup.emit(b, c);
    }, List.of("/bin/busybox", "sh", "-c",
        "echo hello; busybox ls / >/dev/null && echo ls-ok; busybox mkdir " + tmp.resolve("x")
            + " && echo mkdir-ok; busybox swapoff /nonexistent-jrunc; exit 3"));
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).contains("hello\n").contains("ls-ok\n").contains("mkdir-ok\n")
        .contains("swapoff").contains("Operation not permitted"); // swapoff: errnoRet 1 in the profile
  }

  @RequiresRoot("drops capabilities from the bounding set and switches user")
  @Test
  void capabilitiesAroundTheUserSwitch() throws Exception {
    LinuxCapabilities caps = new LinuxCapabilities(
        List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_NET_BIND_SERVICE", "CAP_KILL"),
        List.of("CAP_NET_BIND_SERVICE", "CAP_CHOWN"),
        List.of("CAP_NET_BIND_SERVICE"),
        List.of("CAP_NET_BIND_SERVICE", "CAP_CHOWN"),
        List.of("CAP_NET_BIND_SERVICE", "CAP_CHOWN")); // CHOWN is not inheritable: not raised
    Run r = run(b -> {
      CapabilitySetup.emitBeforeUserSwitch(b, caps);
      b.call(Sys.SETGROUPS, 0L, 0L).describe("setgroups");
      b.call(Sys.SETRESGID, 1000L, 1000L, 1000L).describe("setresgid");
      b.call(Sys.SETRESUID, 1000L, 1000L, 1000L).describe("setresuid");
      CapabilitySetup.emitAfterUserSwitch(b, caps);
      CapabilitySetup.emitNoNewPrivileges(b);
    }, List.of("/bin/busybox", "sh", "-c", "busybox grep -E '^(Uid|Cap|NoNewPrivs)' /proc/self/status"));
    assertThat(r.exit()).isZero();
    // After exec by a non-root user, ambient caps become permitted and effective.
    assertThat(r.out()).contains("Uid:\t1000\t1000\t1000\t1000")
        .contains("CapInh:\t0000000000000400")
        .contains("CapPrm:\t0000000000000400")
        .contains("CapEff:\t0000000000000400")
        .contains("CapBnd:\t0000000000000423")
        .contains("CapAmb:\t0000000000000400")
        .contains("NoNewPrivs:\t1");
  }

  @Test
  void withoutAnLsmTheLabelWriteFailsWithItsDescription() throws Exception {
    LsmSetup.Plan plan = new LsmSetup.Plan(null, "system_u:system_r:container_t:s0", null, false);
    assertThatThrownBy(() -> run(b -> LsmSetup.emitBeforeExec(b, plan), List.of("/bin/true")))
        .isInstanceOf(StepFailedException.class)
        .hasMessageStartingWith("set SELinux exec label system_u:system_r:container_t:s0: write /proc/thread-self/attr/exec: ");
  }

  @Test
  void notifyListenerGoesFromTheChildToTheAgent() throws Exception {
    CompiledSeccomp c = SeccompCompiler.compile(new LinuxSeccomp("SCMP_ACT_ALLOW", null, null, null,
        tmp.resolve("agent.sock").toString(), "meta",
        List.of(new LinuxSyscall(List.of("mkdir", "mkdirat"), "SCMP_ACT_NOTIFY", null, null))));
    String agentPath = tmp.resolve("agent.sock").toString();
    int server = UnixSockets.listen(agentPath);
    // The agent: answers every mkdir with EROFS (30).
    CompletableFuture<String> agent = CompletableFuture.supplyAsync(() -> {
      try {
        int conn = UnixSockets.accept(server);
        UnixSockets.Received state = UnixSockets.recv(conn, 65536);
        Libc.close(conn);
        try (Arena a = Arena.ofConfined()) {
          MemorySegment notif = a.allocate(80, 8);
          long rc = Libc.syscallRaw(Sys.IOCTL, state.fd(), 0xC0502100L, notif.address(), 0, 0, 0);
          if (rc != 0) return "recv " + rc;
          MemorySegment resp = a.allocate(24, 8);
          resp.set(ValueLayout.JAVA_LONG, 0, notif.get(ValueLayout.JAVA_LONG, 0));
          resp.set(ValueLayout.JAVA_INT, 16, -30);
          rc = Libc.syscallRaw(Sys.IOCTL, state.fd(), 0xC0182101L, resp.address(), 0, 0, 0);
          Libc.close(state.fd());
          return new String(state.payload()) + " nr=" + notif.get(ValueLayout.JAVA_INT, 16) + " send=" + rc;
        }
      } catch (Exception e) {
        return "agent failed: " + e;
      }
    });
    Path out = tmp.resolve("notify-out");
    int[] ack = Libc.pipe2(Open.O_CLOEXEC);
    try (SpawnChannel ch = new SpawnChannel(); ProgramBuilder b = new ProgramBuilder()) {
      Step fd = b.call(Sys.OPENAT, (long) Open.AT_FDCWD, out.toString(), (long) (Open.O_WRONLY | Open.O_CREAT), 0644L);
      b.call(Sys.DUP3, fd, 1L, 0L);
      b.call(Sys.DUP3, fd, 2L, 0L);
      CapabilitySetup.emitNoNewPrivileges(b);
      Step load = SeccompSetup.emit(b, c);
      SeccompSetup.emitHandOff(b, load, ch.reportWrite(), ack[0]);
      b.call(Sys.EXECVE, "/bin/busybox", b.stringArray(List.of("busybox", "sh", "-c",
          "busybox mkdir " + tmp.resolve("n") + "; echo rc=$?; ls -l /proc/self/fd/")), b.stringArray(List.of()));
      ChildProgram p = b.build();
      Spawner.Child child = Spawner.clone(p, ch, 0, -1);
      Libc.close(ack[0]);
      // the child announces its listener's number and waits; we copy it out of the child
      Spawner.Report r = Spawner.next(p, ch, child.pid(), Set.of(load.index()));
      assertThat(r.announcingStep()).isEqualTo(load.index());
      int pidfd = Libc.pidfdOpen(child.pid());
      int listener = Libc.pidfdGetfd(pidfd, (int) r.value());
      Libc.close(pidfd);
      SeccompNotify.send(agentPath, listener, new State("1.3.0", "ctr", "creating", child.pid(), tmp.toString(),
          null, null, null, null), child.pid(), "meta");
      Libc.close(listener);
      Libc.write(ack[1], new byte[] {1});
      assertThat(Spawner.next(p, ch, child.pid(), Set.of()).eof()).isTrue();
      int[] st = Libc.wait4(child.pid(), 0);
      assertThat(Libc.exitCode(st[1])).isZero();
      String said = agent.get(30, TimeUnit.SECONDS);
      assertThat(said).contains("\"fds\":[\"seccompFd\"]").contains("\"metadata\":\"meta\"")
          .contains("\"pid\":" + child.pid()).endsWith("send=0").containsPattern("nr=(83|258)");
      // the child's own listener copy was close-on-exec: the shell holds none
      assertThat(Files.readString(out)).contains("Read-only file system").contains("rc=1").doesNotContain("seccomp");
    } finally {
      Libc.close(ack[1]);
      Libc.close(server);
    }
  }
}
