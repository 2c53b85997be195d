package io.jrunc.shim.ttrpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jrunc.shim.proto.Request;
import io.jrunc.shim.proto.Response;
import io.jrunc.shim.proto.RpcStatus;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A ttrpc server: unary calls only. Each connection has a reader thread; each request runs on a
 * thread of its own from a pool (containerd keeps a {@code Wait} call open while it sends others
 * on the same connection), and responses are written whole under the connection's lock, in any
 * order (the stream id pairs them with their requests).
 *
 * <p>Platform threads, not virtual ones, but for methods that only park
 * ({@link #registerParking}): the runtime's calls wait in system calls made through FFM (create
 * reads init's reports until READY, runs hooks without a timeout under poll(2), a terminal's
 * receive waits in recvmsg), and a virtual thread blocked in such a call keeps its carrier,
 * for which the JDK adds none. With a virtual thread per call, as many such calls as
 * the machine has cores stalled every other call of the shim, its connections' readers and the
 * reports of exits until one returned (TtrpcServerTest).
 */
public final class TtrpcServer {
  /** One method: the request payload in, the response payload out. */
  @FunctionalInterface
  public interface Method {
    byte[] call(byte[] payload) throws RpcException, InvalidProtocolBufferException;
  }

  private static final Logger LOG = Logger.getLogger(TtrpcServer.class.getName());
  private final Map<String, Method> methods = new ConcurrentHashMap<>();
  private final Set<String> parking = ConcurrentHashMap.newKeySet();
  /**
   * The calls' threads: started on demand, kept 60 s when idle (a shim sees bursts: create,
   * start, state).
   */
  private final Executor calls;

  public TtrpcServer() {
    this(new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> Thread.ofPlatform().daemon().name("ttrpc-call").unstarted(r)));
  }

  /** With the calls' threads from {@code calls} (tests). */
  TtrpcServer(Executor calls) {
    this.calls = calls;
  }

  /** Registers {@code service/method}, e.g. {@code containerd.task.v2.Task/Create}. */
  public TtrpcServer register(String service, String method, Method m) {
    methods.put(service + "/" + method, m);
    return this;
  }

  /**
   * Registers a method that waits only by parking (a future, a lock; no system call), served on
   * a virtual thread: containerd keeps a {@code Wait} open for each process's whole life, and a
   * parked virtual thread holds no carrier and costs no platform thread's stack.
   */
  public TtrpcServer registerParking(String service, String method, Method m) {
    parking.add(service + "/" + method);
    return register(service, method, m);
  }

  /** Accepts connections until the channel is closed. */
  public void serve(ServerSocketChannel listener) throws IOException {
    while (listener.isOpen()) {
      SocketChannel ch;
      try {
        ch = listener.accept();
      } catch (IOException e) {
        if (!listener.isOpen()) return;
        throw e;
      }
      try {
        Thread.ofPlatform().daemon().name("ttrpc-conn").start(() -> connection(ch));
      } catch (OutOfMemoryError e) {
        // no thread for the connection (the process at its thread limit): refused, serving on
        LOG.warning("ttrpc: connection refused, no thread to read it: " + e.getMessage());
        ch.close();
      }
    }
  }

  private void connection(SocketChannel ch) {
    try (ch) {
      InputStream in = new BufferedInputStream(Channels.newInputStream(ch), 64 * 1024);
      OutputStream out = Channels.newOutputStream(ch);
      Object writeLock = new Object();
      while (true) {
        Frame f;
        try {
          f = FrameCodec.read(in);
        } catch (FrameTooLargeException e) {
          reply(out, writeLock, e.streamId(), status(RpcException.RESOURCE_EXHAUSTED, e.getMessage()), null);
          continue;
        }
        if (f == null) return;
        if (f.type() != Frame.TYPE_REQUEST) continue; // data frames belong to streams: not served
        Request req;
        try {
          req = Request.parseFrom(f.payload());
        } catch (InvalidProtocolBufferException e) {
          reply(out, writeLock, f.streamId(), status(RpcException.INVALID_ARGUMENT, "ttrpc: malformed message: " + e.getMessage()), null);
          continue;
        }
        String name = req.getService() + "/" + req.getMethod();
        Runnable call = () -> dispatch(f.streamId(), name, req, out, writeLock);
        try {
          if (parking.contains(name)) {
            Thread.ofVirtual().name("ttrpc-wait").start(call);
          } else {
            calls.execute(call);
          }
        } catch (RejectedExecutionException | OutOfMemoryError e) {
          // no thread for it (the process is at its thread limit): answered now, the connection kept
          reply(out, writeLock, f.streamId(), status(RpcException.RESOURCE_EXHAUSTED, name + ": no thread to serve the call ("
              + e.getMessage() + ")"), null);
        }
      }
    } catch (IOException e) {
      LOG.log(Level.FINE, "ttrpc connection ended", e);
    }
  }

  /** Runs one request and answers it; an answer that cannot be written ends nothing else. */
  private void dispatch(int stream, String name, Request req, OutputStream out, Object writeLock) {
    RpcStatus status;
    byte[] payload = null;
    try {
      Method m = methods.get(name);
      if (m == null) {
        status = status(RpcException.UNIMPLEMENTED, name + ": method not implemented");
      } else {
        long t0 = System.nanoTime();
        payload = m.call(req.getPayload().toByteArray());
        status = RpcStatus.getDefaultInstance();
        LOG.fine(() -> req.getMethod() + " took " + (System.nanoTime() - t0) / 1000 + " us");
      }
    } catch (RpcException e) {
      status = status(e.code(), e.getMessage());
    } catch (InvalidProtocolBufferException e) {
      status = status(RpcException.INVALID_ARGUMENT, "ttrpc: malformed message: " + e.getMessage());
    } catch (RuntimeException | Error e) {
      // answered all the same: containerd would otherwise wait for this reply forever
      LOG.log(Level.WARNING, "ttrpc call failed", e);
      status = RpcStatus.newBuilder().setCode(RpcException.INTERNAL).setMessage(String.valueOf(e)).build();
    }
    try {
      reply(out, writeLock, stream, status, payload);
    } catch (IOException e) {
      LOG.log(Level.FINE, "ttrpc reply not written", e);
    }
  }

  private static void reply(OutputStream out, Object lock, int stream, RpcStatus st, byte[] payload) throws IOException {
    Response.Builder r = Response.newBuilder().setStatus(st);
    if (payload != null) r.setPayload(ByteString.copyFrom(payload));
    Frame resp = new Frame(stream, Frame.TYPE_RESPONSE, 0, r.build().toByteArray());
    synchronized (lock) {
      FrameCodec.write(out, resp);
    }
  }

  static RpcStatus status(int code, String message) {
    return RpcStatus.newBuilder().setCode(code).setMessage(message == null ? "" : message).build();
  }
}
