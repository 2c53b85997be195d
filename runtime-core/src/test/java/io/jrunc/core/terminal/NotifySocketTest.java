package io.jrunc.core.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.Termios;
import io.jrunc.core.sys.UnixDatagram;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The sd_notify passthrough with datagram sockets on both ends: a fake service manager and a fake container. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NotifySocketTest {
  @TempDir Path tmp;

  @Test
  void prepareAddsRuncsMountAndEnvAndMakesTheDirectory() throws Exception {
    NotifySocket.Prepared p = NotifySocket.prepare(tmp);
    assertThat(p.envEntry()).isEqualTo("NOTIFY_SOCKET=/run/notify/notify.sock");
    assertThat(p.mount().destination()).isEqualTo("/run/notify");
    assertThat(p.mount().source()).isEqualTo(tmp.resolve("notify").toString());
    assertThat(p.mount().options()).containsExactly("bind", "nosuid", "noexec", "nodev", "ro");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("notify")))).isEqualTo("rwxr-xr-x");
    assertThat(p.socketPath()).isEqualTo(tmp.resolve("notify/notify.sock"));
    NotifySocket.prepare(tmp); // idempotent
    assertThat(NotifySocket.hostSocket(Map.of("NOTIFY_SOCKET", "/run/systemd/notify"))).isEqualTo("/run/systemd/notify");
    assertThat(NotifySocket.hostSocket(Map.of())).isNull();
  }

  @Test
  void forwardsReadyThenMainPidThenBarrier() throws Exception {
    forward(tmp.resolve("host.sock").toString(), tmp);
  }

  @Test
  void abstractHostSocketAndLongStatePath() throws Exception {
    Path deep = tmp.resolve("x".repeat(60)).resolve("y".repeat(60));
    Files.createDirectories(deep);
    forward("@jrunc-notify-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime(), deep);
  }

  private void forward(String hostAddr, Path state) throws Exception {
    NotifySocket.prepare(state);
    int host = UnixDatagram.bind(hostAddr);
    try (NotifySocket ns = NotifySocket.bind(state, hostAddr)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ns.socketPath()))).isEqualTo("rwxrwxrwx");
      CompletableFuture<Boolean> fwd = CompletableFuture.supplyAsync(() -> {
        try {
          return ns.forwardUntilReady(4242, () -> true, Duration.ofSeconds(20));
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      // the container: not ready yet, then ready (with a status line runc does not forward)
      int ctr = UnixDatagram.open();
      String target = ns.socketPath().toString();
      if (target.length() >= 108) target = relativeTo(ns.socketPath());
      UnixDatagram.send(ctr, target, "STATUS=starting".getBytes(StandardCharsets.UTF_8), -1);
      UnixDatagram.send(ctr, target, "READY=1\nSTATUS=up".getBytes(StandardCharsets.UTF_8), -1);
      Libc.close(ctr);
      List<String> got = new ArrayList<>();
      int barrierFd = -1;
      while (got.size() < 3) {
        assertThat(Termios.pollIn(host, 10_000)).as("a message from the runtime").isNotZero();
        UnixDatagram.Datagram d = UnixDatagram.recv(host, 4096);
        got.add(new String(d.payload(), StandardCharsets.UTF_8));
        if (d.fd() >= 0) barrierFd = d.fd();
      }
      assertThat(got).containsExactly("READY=1\n", "MAINPID=4242\n", "BARRIER=1");
      assertThat(barrierFd).isNotNegative();
      assertThat(fwd.isDone()).isFalse(); // waits for the barrier
      Libc.close(barrierFd);
      assertThat(fwd.get(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      Libc.close(host);
    }
    assertThat(NotifySocket.socketPath(state)).doesNotExist();
  }

  /** sendmsg needs a short path too: the test's container reaches a long one through its directory fd. */
  private static String relativeTo(Path sock) throws Exception {
    int dir = Libc.open(sock.getParent().toString(), Open.O_PATH | Open.O_CLOEXEC, 0);
    return "/proc/self/fd/" + dir + "/" + sock.getFileName(); // leaked fd: closed when the test JVM exits
  }

  @Test
  void stopsWaitingWhenTheContainerDies() throws Exception {
    NotifySocket.prepare(tmp);
    try (NotifySocket ns = NotifySocket.bind(tmp, tmp.resolve("nobody.sock").toString())) {
      long t0 = System.nanoTime();
      assertThat(ns.forwardUntilReady(1, () -> false, Duration.ofSeconds(20))).isFalse();
      assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(2));
      assertThat(ns.forwardUntilReady(1, () -> true, Duration.ofMillis(300))).isFalse();
    }
  }

  @Test
  void onlyReadyDatagramsCount() {
    assertThat(NotifySocket.readyLine("READY=1".getBytes())).isEqualTo("READY=1");
    assertThat(NotifySocket.readyLine("READY=1\nSTATUS=x".getBytes())).isEqualTo("READY=1");
    assertThat(NotifySocket.readyLine("STATUS=x\nREADY=1".getBytes())).isNull();
  }
}
