package io.jrunc.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrunc.core.sys.LibSeccomp;
import io.jrunc.spec.LinuxSeccomp;
import io.jrunc.spec.LinuxSeccompArg;
import io.jrunc.spec.LinuxSyscall;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeccompCompilerTest {
  static final int X86_64 = 0xC000003E, I386 = 0x40000003;
  static final int ALLOW = 0x7fff0000;
  static final int NR_MKDIR = 83, NR_KILL = 62, NR_GETPID = 39, NR_PERSONALITY = 135, NR_I386_MKDIR = 39;

  static LinuxSeccomp profile(String def, List<LinuxSyscall> calls) {
    return new LinuxSeccomp(def, null, null, null, null, null, calls);
  }

  static LinuxSyscall rule(String action, Long errnoRet, List<LinuxSeccompArg> args, String... names) {
    return new LinuxSyscall(List.of(names), action, errnoRet, args);
  }

  static LinuxSeccompArg arg(long index, long value, long valueTwo, String op) {
    return new LinuxSeccompArg(index, value, valueTwo, op);
  }

  @Test
  void errnoRuleReturnsTheErrnoForThatSyscallOnly() {
    CompiledSeccomp c = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW",
        List.of(rule("SCMP_ACT_ERRNO", 13L, null, "mkdir"))));
    assertThat(c.rules()).isEqualTo(1);
    assertThat(c.filterFlags()).isZero();
    assertThat(c.usesNotify()).isFalse();
    assertThat(Bpf.comparesWith(c.program(), NR_MKDIR)).isTrue();
    assertThat(Bpf.run(c.program(), X86_64, NR_MKDIR)).isEqualTo(0x00050000 | 13);
    assertThat(Bpf.run(c.program(), X86_64, NR_GETPID)).isEqualTo(ALLOW);
  }

  @Test
  void errnoWithoutErrnoRetIsEperm() {
    CompiledSeccomp c = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW",
        List.of(rule("SCMP_ACT_ERRNO", null, null, "mkdir"), rule("SCMP_ACT_TRACE", null, null, "getpid"))));
    assertThat(Bpf.run(c.program(), X86_64, NR_MKDIR)).isEqualTo(0x00050001);
    assertThat(Bpf.run(c.program(), X86_64, NR_GETPID)).isEqualTo(0x7ff00001);
  }

  @Test
  void defaultErrnoRetAndKillActions() {
    CompiledSeccomp c = SeccompCompiler.compile(new LinuxSeccomp("SCMP_ACT_ERRNO", 38L, null, null, null, null,
        List.of(rule("SCMP_ACT_ALLOW", null, null, "getpid"), rule("SCMP_ACT_KILL", null, null, "mkdir"),
            rule("SCMP_ACT_KILL_PROCESS", null, null, "kill"), rule("SCMP_ACT_TRAP", null, null, "personality"),
            rule("SCMP_ACT_LOG", null, null, "getppid"))));
    assertThat(Bpf.run(c.program(), X86_64, NR_GETPID)).isEqualTo(ALLOW);
    assertThat(Bpf.run(c.program(), X86_64, NR_MKDIR)).isEqualTo(0); // SECCOMP_RET_KILL_THREAD
    assertThat(Bpf.run(c.program(), X86_64, NR_KILL)).isEqualTo(0x80000000);
    assertThat(Bpf.run(c.program(), X86_64, NR_PERSONALITY)).isEqualTo(0x00030000);
    assertThat(Bpf.run(c.program(), X86_64, 110)).isEqualTo(0x7ffc0000);
    assertThat(Bpf.run(c.program(), X86_64, 1)).isEqualTo(0x00050000 | 38);
  }

  @Test
  void otherArchitecturesAreKilledUnlessListedAndThenUseTheirOwnNumbers() {
    LinuxSyscall mkdir = rule("SCMP_ACT_ERRNO", 5L, null, "mkdir");
    CompiledSeccomp nativeOnly = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW", List.of(mkdir)));
    assertThat(Bpf.run(nativeOnly.program(), I386, NR_I386_MKDIR)).isEqualTo(0); // bad arch: kill
    CompiledSeccomp both = SeccompCompiler.compile(new LinuxSeccomp("SCMP_ACT_ALLOW", null,
        List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), null, null, null, List.of(mkdir)));
    assertThat(Bpf.run(both.program(), I386, NR_I386_MKDIR)).isEqualTo(0x00050005);
    assertThat(Bpf.run(both.program(), X86_64, NR_MKDIR)).isEqualTo(0x00050005);
    assertThat(Bpf.run(both.program(), X86_64, NR_I386_MKDIR)).isEqualTo(ALLOW); // getpid on x86-64
  }

  @Test
  void conditionsOnDistinctArgumentsAreAndedInOneRule() {
    CompiledSeccomp c = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW", List.of(rule("SCMP_ACT_ERRNO", 66L,
        List.of(arg(0, 999_999, 0, "SCMP_CMP_EQ"), arg(1, 0, 0, "SCMP_CMP_EQ")), "kill"))));
    assertThat(c.rules()).isEqualTo(1);
    assertThat(Bpf.run(c.program(), X86_64, NR_KILL, 999_999, 0)).isEqualTo(0x00050000 | 66);
    assertThat(Bpf.run(c.program(), X86_64, NR_KILL, 999_999, 9)).isEqualTo(ALLOW);
    assertThat(Bpf.run(c.program(), X86_64, NR_KILL, 1, 0)).isEqualTo(ALLOW);
  }

  @Test
  void conditionsOnTheSameArgumentBecomeSeparateRulesLikeRunc() {
    CompiledSeccomp c = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW", List.of(rule("SCMP_ACT_ERRNO", 66L,
        List.of(arg(1, 9, 0, "SCMP_CMP_EQ"), arg(1, 15, 0, "SCMP_CMP_EQ")), "kill"))));
    assertThat(c.rules()).isEqualTo(2);
    assertThat(Bpf.run(c.program(), X86_64, NR_KILL, 1, 9)).isEqualTo(0x00050000 | 66);
    assertThat(Bpf.run(c.program(), X86_64, NR_KILL, 1, 15)).isEqualTo(0x00050000 | 66);
    assertThat(Bpf.run(c.program(), X86_64, NR_KILL, 1, 2)).isEqualTo(ALLOW);
  }

  @Test
  void everyOperator() {
    record Case(String op, long value, long two, long[] hit, long[] miss) {}
    List<Case> cases = List.of(
        new Case("SCMP_CMP_NE", 5, 0, new long[] {4, 6}, new long[] {5}),
        new Case("SCMP_CMP_LT", 5, 0, new long[] {0, 4}, new long[] {5, 6}),
        new Case("SCMP_CMP_LE", 5, 0, new long[] {4, 5}, new long[] {6}),
        new Case("SCMP_CMP_EQ", 0x1_0000_0005L, 0, new long[] {0x1_0000_0005L}, new long[] {5}),
        new Case("SCMP_CMP_GE", 5, 0, new long[] {5, 1L << 40}, new long[] {4}),
        new Case("SCMP_CMP_GT", 5, 0, new long[] {6}, new long[] {5}),
        // value = mask, valueTwo = datum (podman's clone rule: none of the CLONE_NEW* bits)
        new Case("SCMP_CMP_MASKED_EQ", 0x7E020000L, 0, new long[] {0x11, 0x100}, new long[] {0x10000000, 0x20000}));
    for (Case k : cases) {
      CompiledSeccomp c = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW", List.of(
          rule("SCMP_ACT_ERRNO", 7L, List.of(arg(2, k.value, k.two, k.op)), "kill"))));
      for (long v : k.hit) assertThat(Bpf.run(c.program(), X86_64, NR_KILL, 0, 0, v)).as(k.op + " " + v).isEqualTo(0x50007);
      for (long v : k.miss) assertThat(Bpf.run(c.program(), X86_64, NR_KILL, 0, 0, v)).as(k.op + " " + v).isEqualTo(ALLOW);
    }
  }

  @Test
  void unknownSyscallNamesAreSkippedAndRedundantRulesDropped() {
    CompiledSeccomp c = SeccompCompiler.compile(profile("SCMP_ACT_ALLOW", List.of(
        rule("SCMP_ACT_ERRNO", null, null, "no_such_syscall_jrunc", "mkdir"),
        rule("SCMP_ACT_ALLOW", null, null, "getpid"))));
    assertThat(c.rules()).isEqualTo(1);
  }

  @Test
  void flagsMapToSeccompFilterFlags() {
    CompiledSeccomp c = SeccompCompiler.compile(new LinuxSeccomp("SCMP_ACT_ALLOW", null, null,
        List.of("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
            "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
        null, null, List.of(rule("SCMP_ACT_ERRNO", null, null, "mkdir"))));
    assertThat(c.filterFlags()).isEqualTo(2 | 4 | 32);
  }

  @Test
  void notifyIsRecordedAndItsRestrictionsEnforced() {
    CompiledSeccomp c = SeccompCompiler.compile(new LinuxSeccomp("SCMP_ACT_ALLOW", null, null, null,
        "/run/agent.sock", "meta", List.of(rule("SCMP_ACT_NOTIFY", null, null, "mkdir"))));
    assertThat(c.usesNotify()).isTrue();
    assertThat(Bpf.run(c.program(), X86_64, NR_MKDIR)).isEqualTo(0x7fc00000);
    assertThatThrownBy(() -> SeccompCompiler.compile(profile("SCMP_ACT_ALLOW",
        List.of(rule("SCMP_ACT_NOTIFY", null, null, "mkdir")))))
        .hasMessage("linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY");
    assertThatThrownBy(() -> SeccompCompiler.compile(new LinuxSeccomp("SCMP_ACT_ALLOW", null, null, null,
        "/x", null, List.of(rule("SCMP_ACT_ERRNO", null, null, "mkdir"), rule("SCMP_ACT_NOTIFY", null, null, "read", "write")))))
        .hasMessage("linux.seccomp.syscalls[1]: SCMP_ACT_NOTIFY cannot be used for the write syscall");
    assertThatThrownBy(() -> SeccompCompiler.compile(profile("SCMP_ACT_NOTIFY", List.of())))
        .hasMessage("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be used as default action");
    // only write is refused (runc's rule): the listener hand-off needs nothing else
    assertThat(SeccompCompiler.compile(new LinuxSeccomp("SCMP_ACT_ALLOW", null, null, null, "/x", null,
        List.of(rule("SCMP_ACT_NOTIFY", null, null, "close", "sendmsg", "read")))).usesNotify()).isTrue();
  }

  @Test
  void errorsNameTheJsonPath() {
    assertThatThrownBy(() -> SeccompCompiler.compile(profile("SCMP_ACT_FOO", List.of())))
        .isInstanceOf(SecurityConfigException.class)
        .hasMessage("linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_FOO\"");
    assertThatThrownBy(() -> SeccompCompiler.compile(profile("SCMP_ACT_ALLOW",
        List.of(rule("SCMP_ACT_ERRNO", null, null, "mkdir"), rule("SCMP_ACT_BAR", null, null, "mkdir")))))
        .hasMessage("linux.seccomp.syscalls[1].action: unknown seccomp action \"SCMP_ACT_BAR\"");
    assertThatThrownBy(() -> SeccompCompiler.compile(new LinuxSeccomp("SCMP_ACT_ALLOW", null,
        List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"), null, null, null, List.of())))
        .hasMessage("linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_VAX\"");
    assertThatThrownBy(() -> SeccompCompiler.compile(profile("SCMP_ACT_ALLOW",
        List.of(rule("SCMP_ACT_ERRNO", null, List.of(arg(0, 1, 0, "SCMP_CMP_EQ"), arg(1, 1, 0, "SCMP_CMP_LIKE")), "kill")))))
        .hasMessage("linux.seccomp.syscalls[0].args[1].op: unknown seccomp operator \"SCMP_CMP_LIKE\"");
    assertThatThrownBy(() -> SeccompCompiler.compile(profile("SCMP_ACT_ALLOW",
        List.of(rule("SCMP_ACT_ERRNO", null, List.of(arg(6, 1, 0, "SCMP_CMP_EQ")), "kill")))))
        .hasMessage("linux.seccomp.syscalls[0].args[0].index: 6 is not a syscall argument index (0..5)");
    assertThatThrownBy(() -> SeccompCompiler.compile(new LinuxSeccomp("SCMP_ACT_ALLOW", null, null,
        List.of("SECCOMP_FILTER_FLAG_NOPE"), null, null, List.of())))
        .hasMessage("linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_NOPE\"");
    assertThatThrownBy(() -> SeccompCompiler.compile(new LinuxSeccomp("SCMP_ACT_ERRNO", 70000L, null, null, null, null, List.of())))
        .hasMessage("linux.seccomp.defaultErrnoRet: 70000 is out of range (0..65535)");
    assertThatThrownBy(() -> SeccompCompiler.compile(profile("SCMP_ACT_ALLOW",
        List.of(rule("SCMP_ACT_ERRNO", null, null, "mkdir", "")))))
        .hasMessage("linux.seccomp.syscalls[0].names[1]: the empty string is not a syscall name");
  }

  @Test
  void noDefaultActionAndNoRulesMeansNoFilter() {
    assertThat(SeccompCompiler.compile(null)).isNull();
    assertThat(SeccompCompiler.compile(profile(null, null))).isNull();
  }

  @Test
  void podmanDefaultProfileCompilesAndBehaves() throws Exception {
    assumeTrue(PodmanProfile.present(), "podman's seccomp.json (golang-github-containers-common) not installed");
    LinuxSeccomp p = PodmanProfile.load();
    long t0 = System.nanoTime();
    CompiledSeccomp c = SeccompCompiler.compile(p);
    long first = System.nanoTime() - t0;
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 20; i++) {
      long t = System.nanoTime();
      SeccompCompiler.compile(p);
      best = Math.min(best, System.nanoTime() - t);
    }
    System.out.printf("podman profile (libseccomp %s): %d rules, %d BPF instructions; first compile %.1f ms, warm %.2f ms%n",
        LibSeccomp.version(), c.rules(), c.instructions(), first / 1e6, best / 1e6);
    assertThat(c.rules()).isGreaterThan(300);
    assertThat(c.instructions()).isBetween(100, 4096);
    assertThat(Bpf.run(c.program(), X86_64, NR_GETPID)).isEqualTo(ALLOW);
    assertThat(Bpf.run(c.program(), X86_64, 236)).isEqualTo(0x00050000 | 38); // vserver: unlisted, ENOSYS default
    assertThat(Bpf.run(c.program(), X86_64, 321)).isEqualTo(0x00050000 | 1);  // bpf: EPERM without CAP_SYS_ADMIN
    assertThat(Bpf.run(c.program(), X86_64, 246)).isEqualTo(0x00050000 | 1);  // kexec_load
    // personality: only the listed personas (argument rules, SCMP_CMP_EQ on arg 0)
    assertThat(Bpf.run(c.program(), X86_64, NR_PERSONALITY, 0x0008)).isEqualTo(ALLOW);
    assertThat(Bpf.run(c.program(), X86_64, NR_PERSONALITY, 0xffffffffL)).isEqualTo(ALLOW);
    assertThat(Bpf.run(c.program(), X86_64, NR_PERSONALITY, 0x0123)).isEqualTo(0x00050000 | 38);
  }

  @Test
  void syscallsNewerThanTheProfileGetEnosysLikeRunc() {
    List<LinuxSyscall> allow = List.of(rule("SCMP_ACT_ALLOW", null, null, "read", "openat", "socket", "getpid"));
    LinuxSeccomp p = new LinuxSeccomp("SCMP_ACT_ERRNO", null, List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
        null, null, null, allow);
    CompiledSeccomp c = SeccompCompiler.compile(p);
    int eperm = 0x00050001, enosys = 0x00050026;
    assertThat(Bpf.run(c.program(), X86_64, 257)).isEqualTo(ALLOW);     // openat, the highest named
    assertThat(Bpf.run(c.program(), X86_64, 83)).isEqualTo(eperm);      // mkdir: below, not allowed
    assertThat(Bpf.run(c.program(), X86_64, 258)).isEqualTo(enosys);    // mkdirat: above openat
    assertThat(Bpf.run(c.program(), X86_64, 435)).isEqualTo(enosys);    // clone3
    assertThat(Bpf.run(c.program(), X86_64, 0x40000000 | 257)).isEqualTo(ALLOW); // x32 openat
    assertThat(Bpf.run(c.program(), X86_64, 0x40000000 | 300)).isEqualTo(enosys);
    assertThat(Bpf.run(c.program(), X86_64, 0x40000000 | 83)).isEqualTo(eperm);
    assertThat(Bpf.run(c.program(), I386, 295)).isEqualTo(ALLOW);       // i386 openat
    assertThat(Bpf.run(c.program(), I386, 400)).isEqualTo(enosys);
    assertThat(Bpf.run(c.program(), 0xC00000B7, 1)).isEqualTo(0);       // aarch64: bad arch, killed

    // x86-64 alone: x32 calls are left to libseccomp (bad arch for it)
    CompiledSeccomp only64 = SeccompCompiler.compile(new LinuxSeccomp("SCMP_ACT_KILL_PROCESS", null,
        List.of("SCMP_ARCH_X86_64"), null, null, null, allow));
    assertThat(Bpf.run(only64.program(), X86_64, 500)).isEqualTo(enosys);
    assertThat(Bpf.run(only64.program(), X86_64, 83)).isEqualTo(0x80000000);
    assertThat(Bpf.run(only64.program(), X86_64, 0x40000000 | 500)).isNotEqualTo(enosys);

    // no stub when permissive, when the default already is ENOSYS, or without architectures
    CompiledSeccomp permissive = SeccompCompiler.compile(new LinuxSeccomp("SCMP_ACT_ALLOW", null,
        List.of("SCMP_ARCH_X86_64"), null, null, null, List.of(rule("SCMP_ACT_ERRNO", null, null, "mkdir"))));
    assertThat(Bpf.run(permissive.program(), X86_64, 600)).isEqualTo(ALLOW);
    CompiledSeccomp enosysDefault = SeccompCompiler.compile(
        new LinuxSeccomp("SCMP_ACT_ERRNO", 38L, List.of("SCMP_ARCH_X86_64"), null, null, null, allow));
    CompiledSeccomp epermDefault = SeccompCompiler.compile(
        new LinuxSeccomp("SCMP_ACT_ERRNO", 37L, List.of("SCMP_ARCH_X86_64"), null, null, null, allow));
    assertThat(epermDefault.instructions() - enosysDefault.instructions()).isBetween(5, 20); // the stub
    CompiledSeccomp noArchs = SeccompCompiler.compile(new LinuxSeccomp("SCMP_ACT_ERRNO", null, null, null, null, null, allow));
    assertThat(Bpf.run(noArchs.program(), X86_64, 600)).isEqualTo(eperm);
  }
}
