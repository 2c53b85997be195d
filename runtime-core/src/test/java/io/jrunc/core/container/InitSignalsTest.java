package io.jrunc.core.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.ProcStat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM and SIGKILL to init through {@link ProcessHandle} ({@link InitSignals#destroyInit}),
 * on a real process of this test (no root needed): sent only to the process whose start time
 * the record holds.
 */
class InitSignalsTest {
  private Process p;

  @AfterEach
  void stop() throws Exception {
    if (p != null) p.destroyForcibly().waitFor();
  }

  private static ContainerRecord record(long pid, long startTime) {
    return new ContainerRecord("c1", "/b", "/b/rootfs", (int) pid, startTime, "2026-01-01T00:00:00Z", "root", Map.of(),
        "1.3.0", Map.of(), false, false, true);
  }

  @Test
  void termAndKillReachTheRecordedProcess() throws Exception {
    p = new ProcessBuilder("sleep", "60").start();
    assertThat(InitSignals.destroyInit(record(p.pid(), ProcStat.startTime((int) p.pid())), 15)).isTrue();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(128 + 15);

    p = new ProcessBuilder("sleep", "60").start();
    assertThat(InitSignals.destroyInit(record(p.pid(), ProcStat.startTime((int) p.pid())), 9)).isTrue();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(128 + 9);
  }

  /** Another start time: the pid is not the container's init (reused), so nothing is sent. */
  @Test
  void aPidWithAnotherStartTimeIsNotSignalled() throws Exception {
    p = new ProcessBuilder("sleep", "60").start();
    long start = ProcStat.startTime((int) p.pid());
    assertThat(InitSignals.destroyInit(record(p.pid(), start - 1), 9)).isFalse();
    assertThat(p.waitFor(300, TimeUnit.MILLISECONDS)).as("still running").isFalse();
  }

  /** Other signals, and a process that is gone, are left to the pidfd path (its errors, its words). */
  @Test
  void otherSignalsAndAGoneProcessAreNotHandled() throws Exception {
    p = new ProcessBuilder("sleep", "60").start();
    long start = ProcStat.startTime((int) p.pid());
    assertThat(InitSignals.destroyInit(record(p.pid(), start), 10)).isFalse();
    assertThat(p.isAlive()).isTrue();
    p.destroyForcibly().waitFor();
    assertThat(InitSignals.destroyInit(record(p.pid(), start), 9)).isFalse();
  }
}
