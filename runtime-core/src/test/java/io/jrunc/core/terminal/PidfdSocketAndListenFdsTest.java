package io.jrunc.core.terminal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.SysException;
import io.jrunc.core.sys.UnixSockets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidfdSocketAndListenFdsTest {
  @TempDir Path tmp;

  @Test
  void pidfdArrivesWithRuncsPayloadAndSignalsTheProcess() throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "30").start();
    Path sock = tmp.resolve("pidfd.sock");
    int listen = UnixSockets.listen(sock.toString());
    int pidfd = Libc.pidfdOpen((int) sleeper.pid());
    try {
      PidfdSocket.send(sock, pidfd, PidfdSocket.Kind.EXEC);
      PidfdSocket.send(sock, pidfd);
      int conn = UnixSockets.accept(listen);
      UnixSockets.Received r = UnixSockets.recv(conn, 4096);
      Libc.close(conn);
      assertThat(new String(r.payload(), StandardCharsets.US_ASCII)).isEqualTo("setns");
      assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + r.fd()))).hasToString("anon_inode:[pidfd]");
      conn = UnixSockets.accept(listen);
      UnixSockets.Received r2 = UnixSockets.recv(conn, 4096);
      Libc.close(conn);
      assertThat(new String(r2.payload(), StandardCharsets.US_ASCII)).isEqualTo("standard");
      Libc.close(r2.fd());
      // the received fd is the sleeper: SIGKILL through it ends that process
      assertThat(Libc.pidfdSendSignal(r.fd(), 9)).isZero();
      assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).isTrue();
      Libc.close(r.fd());
    } finally {
      sleeper.destroyForcibly();
      Libc.close(pidfd);
      Libc.close(listen);
    }
  }

  @Test
  void pidfdSocketThatNobodyListensOnIsOneClearError() {
    assertThatThrownBy(() -> PidfdSocket.send(tmp.resolve("none.sock"), 0))
        .isInstanceOf(SysException.class)
        .hasMessageContaining("connect to the pidfd socket")
        .hasMessageContaining("none.sock")
        .hasMessageContaining("ENOENT");
  }

  @Test
  void listenFdsArePassedOnOnlyWhenMeantForUs() {
    ListenFds.Result r = ListenFds.compute(Map.of("LISTEN_FDS", "2", "LISTEN_PID", "77"), 77, 3);
    assertThat(r.env()).containsExactly("LISTEN_FDS=2", "LISTEN_PID=1");
    assertThat(r.listenFds()).isEqualTo(2);
    assertThat(r.preserveFds()).isEqualTo(5);
    // another process's fds (LISTEN_PID differs), missing or bad values: nothing
    assertThat(ListenFds.compute(Map.of("LISTEN_FDS", "2", "LISTEN_PID", "78"), 77, 3))
        .isEqualTo(new ListenFds.Result(List.of(), 0, 3));
    assertThat(ListenFds.compute(Map.of("LISTEN_FDS", "2"), 77, 0).env()).isEmpty();
    assertThat(ListenFds.compute(Map.of("LISTEN_FDS", "x", "LISTEN_PID", "77"), 77, 0).env()).isEmpty();
    assertThat(ListenFds.compute(Map.of("LISTEN_FDS", "0", "LISTEN_PID", "77"), 77, 1).preserveFds()).isEqualTo(1);
    assertThat(ListenFds.compute(Map.of(), 77, 4)).isEqualTo(new ListenFds.Result(List.of(), 0, 4));
    assertThatThrownBy(() -> ListenFds.compute(Map.of(), 77, -1)).isInstanceOf(IllegalArgumentException.class);
  }
}
