package io.jrunc.core.security;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class SeccompSetupTest {
  @Test
  void oneSeccompStepWithTheProgramAndNewListenerForNotify() {
    byte[] prog = new byte[3 * 8];
    for (int i = 0; i < prog.length; i++) prog[i] = (byte) (i + 1);
    try (ProgramBuilder b = new ProgramBuilder()) {
      Step plain = SeccompSetup.emit(b, new CompiledSeccomp(prog, 2, false, 1));
      Step notify = SeccompSetup.emit(b, new CompiledSeccomp(prog, 4, true, 1));
      ChildProgram p = b.build();
      assertThat(Programs.nr(p, plain.index())).isEqualTo(317);
      assertThat(Programs.arg(p, 0, 0)).isEqualTo(1); // SECCOMP_SET_MODE_FILTER
      assertThat(Programs.arg(p, 0, 1)).isEqualTo(2);
      assertThat(Programs.arg(p, notify.index(), 1)).isEqualTo(4 | 8);
      MemorySegment fprog = Programs.at(p, 0, 2, 16);
      assertThat(fprog.get(JAVA_SHORT, 0)).isEqualTo((short) 3);
      MemorySegment filter = fprog.get(ADDRESS, 8).reinterpret(prog.length);
      assertThat(filter.toArray(JAVA_BYTE)).isEqualTo(prog);
      assertThat(plain.description()).isEqualTo("load the seccomp filter (3 BPF instructions)");
    }
  }
}
