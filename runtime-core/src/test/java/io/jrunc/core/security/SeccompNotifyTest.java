package io.jrunc.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.SysException;
import io.jrunc.core.sys.UnixSockets;
import io.jrunc.spec.Json;
import io.jrunc.spec.State;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeccompNotifyTest {
  @TempDir Path dir;

  @Test
  void fdAndPayloadCrossASocketpair() throws Exception {
    int[] pair = UnixSockets.socketpair();
    Path f = Files.writeString(dir.resolve("f"), "x");
    int fd = (int) Libc.syscall("open", f.toString(), io.jrunc.core.sys.Sys.OPENAT, -100 /* AT_FDCWD */,
        addressOf(f.toString()), 0x80000 /* O_RDONLY|O_CLOEXEC */);
    try {
      UnixSockets.sendFd(pair[0], fd, new byte[0]);
      int got = UnixSockets.recvFd(pair[1]);
      assertThat(got).isNotEqualTo(fd);
      assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + got))).isEqualTo(f);
      Libc.close(got);
      UnixSockets.sendFd(pair[1], fd, "hello".getBytes());
      UnixSockets.Received r = UnixSockets.recv(pair[0], 100);
      assertThat(new String(r.payload())).isEqualTo("hello");
      assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + r.fd()))).isEqualTo(f);
      Libc.close(r.fd());
      Libc.close(pair[0]);
      assertThatThrownBy(() -> UnixSockets.recvFd(pair[1])).isInstanceOf(SysException.class)
          .hasMessageContaining("no file descriptor was passed");
    } finally {
      Libc.close(fd);
      Libc.close(pair[1]);
    }
  }

  private static final java.lang.foreign.Arena KEEP = java.lang.foreign.Arena.ofAuto();

  private static long addressOf(String s) {
    return KEEP.allocateFrom(s).address();
  }

  @Test
  void sendsTheContainerProcessStateWithTheFdToTheListener() throws Exception {
    String sock = dir.resolve("agent.sock").toString();
    int server = UnixSockets.listen(sock);
    int[] pair = UnixSockets.socketpair(); // any fd will do as the "listener fd"
    try {
      State st = new State("1.3.0", "c1", "creating", 4242, "/b", Map.of("a", "b"), null, null, null);
      SeccompNotify.send(sock, pair[0], st, 4242, "meta-data");
      int conn = UnixSockets.accept(server);
      UnixSockets.Received r = UnixSockets.recv(conn, 65536);
      Libc.close(conn);
      assertThat(r.fd()).isGreaterThan(2);
      assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + r.fd())))
          .isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/fd/" + pair[0])));
      Libc.close(r.fd());
      JsonNode j = Json.readTree(r.payload());
      assertThat(j.path("ociVersion").asText()).isEqualTo("1.3.0");
      assertThat(j.path("fds").get(0).asText()).isEqualTo("seccompFd");
      assertThat(j.path("pid").asInt()).isEqualTo(4242);
      assertThat(j.path("metadata").asText()).isEqualTo("meta-data");
      assertThat(j.path("state").path("id").asText()).isEqualTo("c1");
      assertThat(j.path("state").path("status").asText()).isEqualTo("creating");
    } finally {
      Libc.close(server);
      Libc.close(pair[0]);
      Libc.close(pair[1]);
    }
  }

  @Test
  void aMissingListenerIsOneClearSentence() {
    String sock = dir.resolve("nobody.sock").toString();
    State st = new State("1.3.0", "c1", "creating", 1, "/b", null, null, null, null);
    assertThatThrownBy(() -> SeccompNotify.send(sock, 0, st, 1, null))
        .isInstanceOf(SysException.class)
        .hasMessage("failed to connect with seccomp agent specified in the seccomp profile: connect to unix socket "
            + sock + ": no such file or directory (ENOENT)");
  }
}
