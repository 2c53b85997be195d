package io.jrunc.core.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;


import io.jrunc.core.failure.InvalidStateFailure;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.ProcStat;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** start's write to the exec fifo, through NIO: init reads the byte; a dead init is "stopped"; nothing blocks. */
@Timeout(30) // an open or write that blocks fails the test
class ExecFifoTest {
  @TempDir Path tmp;

  private static ContainerRecord init(int pid, long start) {
    return new ContainerRecord("c", null, null, pid, start, null, null, null, null, null, false, false, false);
  }

  private Path fifo() throws Exception {
    Path f = tmp.resolve("exec.fifo");
    assertThat(new ProcessBuilder("mkfifo", f.toString()).start().waitFor()).isZero();
    return f;
  }

  @Test
  void aLiveInitReadsTheByte() throws Exception {
    Path f = fifo();
    int self = (int) ProcessHandle.current().pid();
    // init's side, as create opens it: O_RDWR
    try (FileChannel initSide = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ExecFifo.release(f, init(self, ProcStat.sample(self).startTime()));
      ByteBuffer b = ByteBuffer.allocate(8);
      assertThat(initSide.read(b)).isEqualTo(1);
      assertThat(b.get(0)).isEqualTo((byte) '0');
    }
  }

  @Test
  void aDeadInitIsStoppedAndNothingBlocks() throws Exception {
    Path f = fifo();
    Process p = new ProcessBuilder("true").start();
    int pid = (int) p.pid();
    p.waitFor();
    assertThatThrownBy(() -> ExecFifo.release(f, init(pid, 1)))
        .isInstanceOf(InvalidStateFailure.class)
        .hasMessage("cannot start a container that has stopped");
    // a pid alive but of another start time (reused) is not the container's init either
    int self = (int) ProcessHandle.current().pid();
    assertThatThrownBy(() -> ExecFifo.release(f, init(self, ProcStat.sample(self).startTime() + 1)))
        .isInstanceOf(InvalidStateFailure.class);
    assertThat(Files.exists(f)).isTrue();
  }
}
