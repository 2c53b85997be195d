package io.jrunc.core.container;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.InvalidStateFailure;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.failure.Status;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.ProcStat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * start's side of the exec fifo: init blocks reading it (create opened it {@code O_RDWR} for
 * init) until start writes one byte. Written through NIO, with no downcall: {@code start}'s only
 * other FFM use was this, and the first downcall of a JVM costs ~20 ms of CPU.
 *
 * <p>The fifo is opened {@code O_RDWR}, which on Linux never blocks (fifo(7)), where an
 * {@code O_WRONLY} open blocks while no reader is left and NIO cannot ask for
 * {@code O_NONBLOCK}. So a dead init is not told by {@code ENXIO} but by its pid and start time
 * just before the write (the startContainer hooks ran since the status was derived): "cannot
 * start a container that has stopped", as before. An init killed between that check and the
 * write is the same to the caller as one killed just after reading the byte: start succeeds and
 * the container is then stopped.
 */
final class ExecFifo {
  private ExecFifo() {}

  static void release(Path fifo, ContainerRecord init) throws ContainerFailure {
    if (!ProcStat.isAlive(init.pid(), init.pidStartTime())) {
      throw new InvalidStateFailure("cannot start a container that has stopped", Status.STOPPED);
    }
    FileChannel ch;
    try {
      ch = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new SetupFailure("open exec fifo " + fifo + ": " + e.getMessage(), 0, e);
    }
    try (ch) {
      ch.write(ByteBuffer.wrap(new byte[] {'0'}));
    } catch (IOException e) {
      throw new SetupFailure("start the container: write exec fifo " + fifo + ": " + e.getMessage(), 0, e);
    }
  }
}
