package io.jrunc.shim.ttrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The client against a server that takes a request and never answers, then one that does. */
class TtrpcClientTest {
  @TempDir Path dir;

  @Test
  @Timeout(30) // the client without a deadline waits for ever
  void aCallWithoutReplyFailsAtItsDeadlineAndTheNextOneConnectsAgain() throws Exception {
    Path sock = dir.resolve("c.sock");
    try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      listener.bind(UnixDomainSocketAddress.of(sock));
      Thread.ofPlatform().daemon().start(() -> {
        try {
          // first connection: read the request, answer nothing, keep the connection open
          SocketChannel silent = listener.accept();
          FrameCodec.read(Channels.newInputStream(silent));
          // second: a real server's answer
          new TtrpcServer().register("test.S", "Echo", p -> p).serve(listener);
        } catch (IOException ignored) {
          // the test is over
        }
      });
      try (TtrpcClient client = new TtrpcClient(sock, Duration.ofMillis(300))) {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client.call("test.S", "Echo", new byte[] {1}))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("no reply to test.S/Echo within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(client.call("test.S", "Echo", new byte[] {4, 2})).containsExactly(4, 2);
      }
    }
  }
}
