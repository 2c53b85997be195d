package io.jrunc.shim.ttrpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.jrunc.core.api.host.HostFd;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import io.jrunc.shim.proto.Request;
import io.jrunc.shim.proto.Response;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server over a real unix socket, with ttrpc frames written by hand as a client would. */
class TtrpcServerTest {
  @TempDir Path dir;

  @Test
  void answersKnownMethodsUnknownOnesAndOutOfOrderReplies() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    TtrpcServer server = new TtrpcServer()
        .register("test.S", "Echo", p -> p)
        .registerParking("test.S", "Block", p -> {
          assertThat(Thread.currentThread().isVirtual()).isTrue(); // a parked Wait holds no platform thread
          try {
            release.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          return new byte[] {1};
        })
        .register("test.S", "Fail", p -> {
          throw new RpcException(RpcException.NOT_FOUND, "container x: not found");
        });
    Path sock = dir.resolve("s.sock");
    ServerSocketChannel listener = serve(server, sock);
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
      OutputStream out = Channels.newOutputStream(ch);
      InputStream in = Channels.newInputStream(ch);
      // a blocked call must not hold up the ones after it on the same connection
      send(out, 1, "test.S", "Block", new byte[0]);
      send(out, 3, "test.S", "Echo", new byte[] {5, 6});
      Frame echo = FrameCodec.read(in);
      assertThat(echo.streamId()).isEqualTo(3);
      assertThat(echo.type()).isEqualTo(Frame.TYPE_RESPONSE);
      Response r = Response.parseFrom(echo.payload());
      assertThat(r.getStatus().getCode()).isZero();
      assertThat(r.getPayload().toByteArray()).containsExactly(5, 6);

      send(out, 5, "test.S", "Nope", new byte[0]);
      Response nope = Response.parseFrom(FrameCodec.read(in).payload());
      assertThat(nope.getStatus().getCode()).isEqualTo(RpcException.UNIMPLEMENTED);
      assertThat(nope.getStatus().getMessage()).contains("test.S/Nope");

      send(out, 7, "test.S", "Fail", new byte[0]);
      Response fail = Response.parseFrom(FrameCodec.read(in).payload());
      assertThat(fail.getStatus().getCode()).isEqualTo(RpcException.NOT_FOUND);
      assertThat(fail.getStatus().getMessage()).isEqualTo("container x: not found");

      release.countDown();
      Frame blocked = FrameCodec.read(in);
      assertThat(blocked.streamId()).isEqualTo(1);
      assertThat(Response.parseFrom(blocked.payload()).getPayload().toByteArray()).containsExactly(1);
    } finally {
      listener.close();
      Files.deleteIfExists(sock);
    }
  }

  /**
   * Calls that block in a system call (jrunc's create waiting for init's READY, a hook without
   * a timeout, a console socket's receive) must not hold up the shim's other calls. A virtual
   * thread blocked in a native call keeps its carrier, and the JDK adds none for it: with a
   * call per virtual thread, as many such calls as the machine has cores stalled every other
   * call (and every exit's report) until one of them returned.
   */
  @Test
  void callsBlockedInSystemCallsDoNotStallTheOthers() throws Exception {
    int blocked = Runtime.getRuntime().availableProcessors() + 1;
    HostFd.Pipe gate = HostFd.pipe();
    TtrpcServer server = new TtrpcServer()
        .register("test.S", "Echo", p -> p)
        .register("test.S", "Read", p -> {
          assertThat(Thread.currentThread().isVirtual()).isFalse();
          return new byte[] {(byte) rawRead(gate.read().number())};
        });
    Path sock = dir.resolve("n.sock");
    ServerSocketChannel listener = serve(server, sock);
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock)); gate) {
      OutputStream out = Channels.newOutputStream(ch);
      InputStream in = Channels.newInputStream(ch);
      for (int i = 0; i < blocked; i++) send(out, 1 + 2 * i, "test.S", "Read", new byte[0]);
      Thread.sleep(200); // the reads are in the kernel now
      send(out, 1001, "test.S", "Echo", new byte[] {7});
      var echo = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return FrameCodec.read(in);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      Frame f;
      try {
        f = echo.get(5, java.util.concurrent.TimeUnit.SECONDS);
      } finally {
        gate.write().write(new byte[blocked], 0, blocked); // release the reads either way
      }
      assertThat(f.streamId()).isEqualTo(1001);
      assertThat(Response.parseFrom(f.payload()).getPayload().toByteArray()).containsExactly(7);
      for (int i = 0; i < blocked; i++) {
        assertThat(Response.parseFrom(FrameCodec.read(in).payload()).getStatus().getCode()).isZero();
      }
    } finally {
      listener.close();
      Files.deleteIfExists(sock);
    }
  }

  /**
   * libc's read(2) of one byte through a downcall of the test's own: it blocks in the kernel on
   * whatever thread calls it (jrunc's wrappers would move a virtual thread's wait off its
   * carrier, which is the API's guarantee, not the server's).
   */
  private static long rawRead(int fd) {
    Linker linker = Linker.nativeLinker();
    MethodHandle read = linker.downcallHandle(linker.defaultLookup().find("read").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    try (Arena arena = Arena.ofConfined()) {
      return (long) read.invokeExact(fd, arena.allocate(1), 1L);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** A call with no thread to run it (the process at its thread limit) is refused; the connection goes on. */
  @Test
  void aCallWithoutAThreadIsRefusedAndTheConnectionGoesOn() throws Exception {
    TtrpcServer server = new TtrpcServer(r -> {
      throw new java.util.concurrent.RejectedExecutionException("no thread");
    }).register("test.S", "Echo", p -> p).registerParking("test.S", "Park", p -> p);
    Path sock = dir.resolve("r.sock");
    ServerSocketChannel listener = serve(server, sock);
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
      OutputStream out = Channels.newOutputStream(ch);
      InputStream in = Channels.newInputStream(ch);
      send(out, 1, "test.S", "Echo", new byte[] {1});
      Response refused = Response.parseFrom(FrameCodec.read(in).payload());
      assertThat(refused.getStatus().getCode()).isEqualTo(RpcException.RESOURCE_EXHAUSTED);
      assertThat(refused.getStatus().getMessage()).isEqualTo("test.S/Echo: no thread to serve the call (no thread)");
      send(out, 3, "test.S", "Park", new byte[] {2}); // a virtual thread: still served
      Frame parked = FrameCodec.read(in);
      assertThat(parked.streamId()).isEqualTo(3);
      assertThat(Response.parseFrom(parked.payload()).getPayload().toByteArray()).containsExactly(2);
    } finally {
      listener.close();
      Files.deleteIfExists(sock);
    }
  }

  /** {@code server} on {@code sock}, served by a daemon thread until the listener is closed. */
  private static ServerSocketChannel serve(TtrpcServer server, Path sock) throws Exception {
    ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    listener.bind(UnixDomainSocketAddress.of(sock));
    Thread.ofPlatform().daemon().start(() -> {
      try {
        server.serve(listener);
      } catch (Exception ignored) {
        // closed at the end of the test
      }
    });
    return listener;
  }

  private static void send(OutputStream out, int stream, String service, String method, byte[] payload) throws Exception {
    byte[] req = Request.newBuilder().setService(service).setMethod(method)
        .setPayload(ByteString.copyFrom(payload)).build().toByteArray();
    FrameCodec.write(out, new Frame(stream, Frame.TYPE_REQUEST, 0, req));
  }
}
