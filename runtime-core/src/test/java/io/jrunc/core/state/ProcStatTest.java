package io.jrunc.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** proc(5) {@code /proc/<pid>/stat}: state and start time, whatever the command name holds. */
class ProcStatTest {
  /** The fields after comm, as the kernel writes them; state is field 3, starttime field 22. */
  private static String stat(String comm, char state, long start) {
    return "4242 (" + comm + ") " + state + " 1 4242 4242 0 -1 4194560 120 0 0 0 1 2 0 0 20 0 1 0 " + start
        + " 2297856 180 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  }

  @Test
  void readsStateAndStartTime() {
    assertThat(ProcStat.parse(stat("sh", 'S', 123456))).isEqualTo(new ProcStat.Sample('S', 123456, 1));
  }

  /** A process may name itself anything (prctl PR_SET_NAME): only the last ')' ends comm. */
  @Test
  void aCommandNameWithSpacesAndParenthesesIsSkipped() {
    assertThat(ProcStat.parse(stat(") Z 1 2 (x", 'R', 77))).isEqualTo(new ProcStat.Sample('R', 77, 1));
  }

  @Test
  void theParentIsField4AndAGonePidHasNone() {
    assertThat(ProcStat.parentPid(stat(") Z 9 2 (x", 'R', 77))).isEqualTo(1);
    assertThat(ProcStat.parentPid((int) ProcessHandle.current().pid()))
        .isEqualTo((int) ProcessHandle.current().parent().orElseThrow().pid());
    assertThat(ProcStat.parentPid(Integer.MAX_VALUE)).isEqualTo(-1);
  }

  /** Cut short (no start time) or without the command's parentheses: no sample, not a wrong one. */
  @Test
  void aLineThatIsNotAStatLineIsRefused() {
    assertThatThrownBy(() -> ProcStat.parse("4242 (sh) S 1 4242")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProcStat.parse("4242 sh S 1 4242")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProcStat.parse("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aliveMeansNotAZombieAndTheSameStartTime() {
    assertThat(ProcStat.isAlive(new ProcStat.Sample('S', 5), 5)).isTrue();
    assertThat(ProcStat.isAlive(new ProcStat.Sample('Z', 5), 5)).isFalse();
    assertThat(ProcStat.isAlive(new ProcStat.Sample('X', 5), 5)).isFalse();
    assertThat(ProcStat.isAlive(new ProcStat.Sample('S', 6), 5)).isFalse(); // the pid was reused
    assertThat(ProcStat.isAlive(null, 5)).isFalse();
  }

  @Test
  void thisProcessIsAliveAndAPidThatCannotExistIsNot() {
    int self = (int) ProcessHandle.current().pid();
    long start = ProcStat.startTime(self);
    assertThat(start).isPositive();
    assertThat(ProcStat.isAlive(self, start)).isTrue();
    assertThat(ProcStat.sample(0)).isNull();
    assertThat(ProcStat.startTime(Integer.MAX_VALUE)).isEqualTo(-1);
  }
}
