package io.jrunc.shim.ttrpc;

import com.google.protobuf.ByteString;
import io.jrunc.shim.proto.Request;
import io.jrunc.shim.proto.Response;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A ttrpc client for one caller at a time (the shim's event thread): unary calls in sequence on
 * one connection, opened on first use and again after a failure. Stream ids are odd and
 * increasing, as ttrpc clients choose them.
 *
 * <p>A call has a deadline ({@link #DEFAULT_TIMEOUT}, as containerd's own shims give each
 * event they forward): a server that takes the request and never answers would otherwise hold
 * the caller, and with it every later event of the shim, for good. At the deadline the
 * connection is closed (the blocked read ends) and the call fails; the next call connects again.
 */
public final class TtrpcClient implements AutoCloseable {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  /** Closes the connections of calls past their deadline: one daemon thread, started on first use. */
  private static final class Deadlines {
    static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1,
        r -> Thread.ofPlatform().daemon().name("ttrpc-deadline").unstarted(r));

    static {
      TIMER.setRemoveOnCancelPolicy(true);
    }
  }

  private final Path socket;
  private final Duration timeout;
  private SocketChannel channel;
  private InputStream in;
  private OutputStream out;
  private int nextStream = 1;

  public TtrpcClient(Path socket) {
    this(socket, DEFAULT_TIMEOUT);
  }

  public TtrpcClient(Path socket, Duration timeout) {
    this.socket = socket;
    this.timeout = timeout;
  }

  /** Calls {@code service/method}; a non-OK status is an {@link RpcException}. */
  public synchronized byte[] call(String service, String method, byte[] payload) throws IOException, RpcException {
    AtomicBoolean expired = new AtomicBoolean();
    ScheduledFuture<?> deadline = null;
    try {
      if (channel != null && !channel.isOpen()) close(); // a deadline that fired just after its reply
      if (channel == null) {
        channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        in = new BufferedInputStream(Channels.newInputStream(channel));
        out = Channels.newOutputStream(channel);
      }
      SocketChannel ch = channel;
      deadline = Deadlines.TIMER.schedule(() -> {
        expired.set(true);
        try {
          ch.close(); // the blocked write or read ends with AsynchronousCloseException
        } catch (IOException ignored) {
          // closed anyway
        }
      }, timeout.toNanos(), TimeUnit.NANOSECONDS);
      int stream = nextStream;
      nextStream += 2;
      byte[] req = Request.newBuilder().setService(service).setMethod(method)
          .setPayload(ByteString.copyFrom(payload)).build().toByteArray();
      FrameCodec.write(out, new Frame(stream, Frame.TYPE_REQUEST, 0, req));
      while (true) {
        Frame f = FrameCodec.read(in);
        if (f == null) throw new IOException("ttrpc " + socket + ": connection closed before the reply to " + method);
        if (f.type() != Frame.TYPE_RESPONSE || f.streamId() != stream) continue;
        Response r = Response.parseFrom(f.payload());
        if (r.getStatus().getCode() != 0) {
          throw new RpcException(r.getStatus().getCode(), service + "/" + method + ": " + r.getStatus().getMessage());
        }
        return r.getPayload().toByteArray();
      }
    } catch (IOException e) {
      close();
      if (expired.get()) {
        throw new IOException("ttrpc " + socket + ": no reply to " + service + "/" + method + " within "
            + timeout.toMillis() + " ms; connection closed", e);
      }
      throw e;
    } finally {
      if (deadline != null) deadline.cancel(false);
    }
  }

  @Override
  public synchronized void close() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    channel = null;
  }
}
