package io.jrunc.core.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.ProgramBuilder.PlannedCall;
import io.jrunc.core.sys.Arch;
import io.jrunc.core.sys.Sys;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The prologue resets only the signals the parent ignores: the program runs after an execve,
 * which already set every handled signal back to its default (the host-side check, a container
 * started by a jrunc that ignores signals, is CliLifecycleTest's).
 */
class SignalResetTest {
  private static final Arch ARCH = Arch.current();

  private static List<Long> resetSignals(long ignored) throws Exception {
    try (ProgramBuilder b = new ProgramBuilder()) {
      ProcessSteps.signals(b, ignored);
      return b.calls().stream().filter(c -> c.nr() == ARCH.nr(Sys.RT_SIGACTION)).map(PlannedCall::args)
          .map(a -> a[0]).toList();
    }
  }

  @Test
  void onlyIgnoredSignalsAreReset() throws Exception {
    // SIGHUP, SIGINT, SIGKILL (cannot be caught nor ignored: never reset), SIGUSR1, SIGRTMAX
    long ignored = (1L << 0) | (1L << 1) | (1L << 8) | (1L << 9) | (1L << 63);
    assertThat(resetSignals(ignored)).containsExactly(1L, 2L, 10L, 64L);
    assertThat(resetSignals(0)).isEmpty();
  }

  @Test
  void anUnreadableMaskResetsEverySignalButKillAndStop() throws Exception {
    List<Long> all = resetSignals(-1L);
    assertThat(all).hasSize(62).doesNotContain(9L, 19L).contains(1L, 64L);
  }

  @Test
  void thisProcesssMaskIsRead() {
    // the surefire JVM ignores what it inherited, if anything; never "all" unless the read failed
    assertThat(ProcessSteps.ignoredSignals()).isNotEqualTo(-1L);
  }
}
