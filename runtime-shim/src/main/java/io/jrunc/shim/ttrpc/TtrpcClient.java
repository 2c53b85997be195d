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

/**
 * A ttrpc client for one caller at a time (the shim's event thread): unary calls in sequence on
 * one connection, opened on first use and again after a failure. Stream ids are odd and
 * increasing, as ttrpc clients choose them.
 */
public final class TtrpcClient implements AutoCloseable {
  private final Path socket;
  private SocketChannel channel;
  private InputStream in;
  private OutputStream out;
  private int nextStream = 1;

  public TtrpcClient(Path socket) {
    this.socket = socket;
  }

  /** Calls {@code service/method}; a non-OK status is an {@link RpcException}. */
  public synchronized byte[] call(String service, String method, byte[] payload) throws IOException, RpcException {
    try {
      if (channel == null) {
        channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        in = new BufferedInputStream(Channels.newInputStream(channel));
        out = Channels.newOutputStream(channel);
      }
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
      throw e;
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
