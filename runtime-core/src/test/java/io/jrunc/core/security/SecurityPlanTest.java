package io.jrunc.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.spawn.Spawner;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.sys.UnixSockets;
import io.jrunc.spec.Linux;
import io.jrunc.spec.LinuxCapabilities;
import io.jrunc.spec.LinuxSeccomp;
import io.jrunc.spec.LinuxSyscall;
import io.jrunc.spec.Process;
import io.jrunc.spec.Spec;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan wired in the lead's order (InitPlanner hooks), on the trampoline. */
class SecurityPlanTest {
  @TempDir Path tmp;

  static Spec spec(Boolean nnp, LinuxCapabilities caps, LinuxSeccomp seccomp, String apparmor) {
    Process p = new Process(null, null, null, List.of("sh"), null, null, "/", caps, null, nnp, apparmor, null, null,
        null, null, null);
    Linux l = new Linux(null, null, null, null, null, null, null, null, seccomp, null, null, null, null, null, null,
        null, null);
    return new Spec("1.3.0", p, null, null, null, null, null, null, l);
  }

  @Test
  void configErrorsSurfaceBeforeAnyClone() {
    assertThatThrownBy(() -> SecurityPlan.prepare(spec(true, null, null, "docker-default"),
        new LsmSetup.Host(false, false, false), 40))
        .hasMessageStartingWith("process.apparmorProfile:");
    assertThatThrownBy(() -> SecurityPlan.prepare(spec(true, null,
        new LinuxSeccomp("SCMP_ACT_NOPE", null, null, null, null, null, null), null), new LsmSetup.Host(false, false, false), 40))
        .hasMessage("linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_NOPE\"");
  }

  @RequiresRoot("drops capabilities from the bounding set (CAP_SETPCAP)")
  @Test
  void fullOrderWithNotifyUnderNoNewPrivileges() throws Exception {
    String agentPath = tmp.resolve("agent.sock").toString();
    LinuxCapabilities caps = new LinuxCapabilities(List.of("CAP_KILL", "CAP_NET_BIND_SERVICE"),
        List.of("CAP_KILL"), null, List.of("CAP_KILL"), null);
    Spec spec = spec(true, caps, new LinuxSeccomp("SCMP_ACT_ALLOW", null, List.of("SCMP_ARCH_X86_64"), null,
        agentPath, "m", List.of(new LinuxSyscall(List.of("mkdir", "mkdirat"), "SCMP_ACT_NOTIFY", null, null))), null);
    int server = UnixSockets.listen(agentPath);
    CompletableFuture<String> agent = CompletableFuture.supplyAsync(() -> {
      try {
        int conn = UnixSockets.accept(server);
        UnixSockets.Received st = UnixSockets.recv(conn, 65536);
        Libc.close(conn);
        try (Arena a = Arena.ofConfined()) {
          MemorySegment notif = a.allocate(80, 8);
          long rc = Libc.syscallRaw(Sys.IOCTL, st.fd(), 0xC0502100L, notif.address(), 0, 0, 0);
          MemorySegment resp = a.allocate(24, 8);
          resp.set(ValueLayout.JAVA_LONG, 0, notif.get(ValueLayout.JAVA_LONG, 0));
          resp.set(ValueLayout.JAVA_INT, 16, -122); // EDQUOT
          rc |= Libc.syscallRaw(Sys.IOCTL, st.fd(), 0xC0182101L, resp.address(), 0, 0, 0);
          Libc.close(st.fd());
          return "rc=" + rc;
        }
      } catch (Exception e) {
        return "agent failed: " + e;
      }
    });
    Path out = tmp.resolve("out");
    try (SecurityPlan plan = SecurityPlan.prepare(spec); SpawnChannel ch = new SpawnChannel();
        ProgramBuilder b = new ProgramBuilder()) {
      plan.handOffListener(ch.reportWrite());
      Step fd = b.call(Sys.OPENAT, (long) Open.AT_FDCWD, out.toString(), (long) (Open.O_WRONLY | Open.O_CREAT), 0644L);
      b.call(Sys.DUP3, fd, 1L, 0L);
      b.call(Sys.DUP3, fd, 2L, 0L);
      plan.beforeUserSwitch(b);
      b.call(Sys.SETGROUPS, 0L, 0L);
      b.call(Sys.SETRESGID, 1000L, 1000L, 1000L);
      b.call(Sys.SETRESUID, 1000L, 1000L, 1000L);
      plan.afterUserSwitch(b);
      CapabilitySetup.emitNoNewPrivileges(b);
      plan.beforeReady(b);
      b.call(Sys.EXECVE, "/bin/busybox", b.stringArray(List.of("busybox", "sh", "-c",
          "busybox mkdir " + tmp.resolve("d") + "; echo rc=$?; busybox grep -E '^(CapBnd|NoNewPrivs|Seccomp):' /proc/self/status")),
          b.stringArray(List.of()));
      ChildProgram p = b.build();
      Spawner.Child c = Spawner.clone(p, ch, 0, -1);
      plan.afterClone();
      Spawner.Report r = Spawner.next(p, ch, c.pid(), Set.of(plan.listenerStep()));
      assertThat(r.announcingStep()).isEqualTo(plan.listenerStep());
      plan.forwardListener(c.pid(), r.value(), new State("1.3.0", "ctr", "creating", c.pid(), tmp.toString(), null,
          null, null, null), c.pid());
      assertThat(Spawner.next(p, ch, c.pid(), Set.of()).eof()).isTrue();
      assertThat(Libc.exitCode(Libc.wait4(c.pid(), 0)[1])).isZero();
    } finally {
      Libc.close(server);
    }
    assertThat(agent.get(30, TimeUnit.SECONDS)).isEqualTo("rc=0");
    assertThat(Files.readString(out)).contains("Disk quota exceeded").contains("rc=1")
        .contains("CapBnd:\t0000000000000420").contains("NoNewPrivs:\t1").contains("Seccomp:\t2");
  }
}
