package io.jrunc.core.api.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link HostFd}: pipes and FIFOs as a shim hands them to a process, no root needed. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HostFdTest {
  @TempDir Path dir;

  @Test
  void aPipeReopenedThroughItsProcPathIsTheSamePipeAndEndsWithEof() throws IOException {
    try (HostFd.Pipe p = HostFd.pipe()) {
      // what a container's process does with Stdio.ToFile(procPath()): open the path again
      try (OutputStream out = Files.newOutputStream(p.write().procPath())) {
        out.write("hello".getBytes(StandardCharsets.UTF_8));
      }
      p.write().close();
      assertThat(p.read().awaitReadable(1000)).isTrue();
      byte[] buf = new byte[64];
      int n = p.read().read(buf);
      assertThat(new String(buf, 0, n, StandardCharsets.UTF_8)).isEqualTo("hello");
      assertThat(p.read().read(buf)).as("EOF once every writer is closed").isEqualTo(-1);
    }
  }

  @Test
  void pipeEndsAreCloseOnExec() throws IOException {
    try (HostFd.Pipe p = HostFd.pipe()) {
      for (HostFd fd : new HostFd[] {p.read(), p.write()}) {
        String fdinfo = Files.readString(Path.of("/proc/self/fdinfo/" + fd.number()));
        long flags = Long.parseLong(fdinfo.lines().filter(l -> l.startsWith("flags:")).findFirst().orElseThrow()
            .substring(6).trim(), 8);
        assertThat(flags & 02000000).as("O_CLOEXEC on " + fd).isNotZero();
      }
    }
  }

  @Test
  void closeDuringABlockedReadKeepsTheNumberUntilTheReadReturns() throws Exception {
    HostFd.Pipe p = HostFd.pipe();
    try {
      Path fdPath = p.read().procPath();
      CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
        try {
          return p.read().read(new byte[8]);
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      });
      Thread.sleep(200); // the reader is blocked in read(2)
      p.read().close();
      assertThat(p.read().isClosed()).isTrue();
      // still open: an open() in another thread cannot get this number while the read runs
      assertThat(Files.isSymbolicLink(fdPath)).as(fdPath + " while a read is in progress").isTrue();
      p.write().write(new byte[] {7}, 0, 1);
      assertThat(reader.get(5, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(Files.isSymbolicLink(fdPath) && Files.readSymbolicLink(fdPath).toString().startsWith("pipe:"))
          .as("closed by the read on its way out").isFalse();
      assertThat(p.read().read(new byte[1])).as("a read after close").isEqualTo(-1);
    } finally {
      p.close();
    }
  }

  @Test
  void writeAfterCloseFailsNamingTheFd() throws IOException {
    HostFd.Pipe p = HostFd.pipe();
    p.close();
    assertThatThrownBy(() -> p.write().write(new byte[1], 0, 1)).isInstanceOf(IOException.class)
        .hasMessageContaining("write pipe").hasMessageContaining("EBADF");
  }

  @Test
  void aFifoOpensWithoutAPeerAndOpeningAMissingOneNamesIt() throws Exception {
    Path fifo = dir.resolve("out");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    try (HostFd fd = HostFd.openFifo(fifo)) { // would block forever read-only or write-only
      fd.write("x".getBytes(StandardCharsets.UTF_8), 0, 1);
      assertThat(fd.read(new byte[4])).isEqualTo(1);
    }
    assertThatThrownBy(() -> HostFd.openFifo(dir.resolve("missing"))).isInstanceOf(IOException.class)
        .hasMessageContaining("open " + dir.resolve("missing")).hasMessageContaining("ENOENT");
  }
}
