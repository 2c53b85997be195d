package io.jrunc.shim;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.jrunc.shim.proto.Envelope;
import io.jrunc.shim.proto.ForwardRequest;
import io.jrunc.shim.ttrpc.RpcException;
import io.jrunc.shim.ttrpc.TtrpcClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Sends task events to containerd. With {@code TTRPC_ADDRESS} in the environment (containerd
 * 1.5+ sets it for its shims) over ttrpc, {@code containerd.services.events.ttrpc.v1.Events/Forward}
 * with an Envelope (timestamp, namespace, topic, event), as containerd's own shims do: a call on
 * an open connection instead of a process per event. Otherwise, or when that fails, through the
 * publish binary, the form every containerd since 1.2 accepts
 * ({@code cmd/containerd/command/publish.go}):
 *
 * <pre>
 * PUBLISH_BINARY --address ADDRESS publish --topic /tasks/exit --namespace NS   &lt; Any
 * </pre>
 *
 * where stdin is a protobuf {@code google.protobuf.Any} whose type URL is the event's message
 * name as containerd's typeurl registry knows it ({@code containerd.events.TaskExit}). Events go
 * out one at a time, in order, from one thread: containerd relies on TaskCreate before
 * TaskStart before TaskExit. An event containerd did not take is tried again ({@link #ATTEMPTS}
 * times, waiting 1, 2, 3, 4 s) before the next one, and at most {@link #QUEUE_LIMIT} wait, so a
 * containerd restart loses no event and an absent one cannot grow the shim without bound.
 */
final class EventPublisher {
  private static final Logger LOG = Logger.getLogger(EventPublisher.class.getName());
  static final String FORWARD_SERVICE = "containerd.services.events.ttrpc.v1.Events";
  /** At most this many events wait while containerd is unreachable; later ones are dropped (logged). */
  static final int QUEUE_LIMIT = 2048;
  /** Attempts per event before it is given up (logged), the wait growing by RETRY_STEP each time. */
  static final int ATTEMPTS = 5;
  static final Duration RETRY_STEP = Duration.ofSeconds(1);

  /** One way of delivering an event; false when containerd could not be reached. */
  interface Sender {
    boolean send(String topic, Any event);
  }

  private record Pending(String topic, Any event, CompletableFuture<Void> flushed) {}

  private final String binary;
  private final String address;
  private final String namespace;
  private final TtrpcClient ttrpc;
  private final Sender sender;
  private final Duration retryStep;
  private final LinkedBlockingQueue<Pending> queue;

  EventPublisher(String binary, String address, String namespace) {
    this(binary, address, namespace, ttrpcAddress());
  }

  /** Forwarding to the events service on {@code ttrpc} (null: the publish binary only). */
  EventPublisher(String binary, String address, String namespace, Path ttrpc) {
    this.binary = binary;
    this.address = address;
    this.namespace = namespace;
    this.ttrpc = ttrpc == null ? null : new TtrpcClient(ttrpc);
    this.sender = this::send;
    this.retryStep = RETRY_STEP;
    this.queue = new LinkedBlockingQueue<>(QUEUE_LIMIT);
    start();
  }

  /** For tests: events go to {@code sender}, waits grow by {@code retryStep}, at most {@code limit} wait. */
  EventPublisher(String namespace, Sender sender, Duration retryStep, int limit) {
    this.binary = "";
    this.address = "";
    this.namespace = namespace;
    this.ttrpc = null;
    this.sender = sender;
    this.retryStep = retryStep;
    this.queue = new LinkedBlockingQueue<>(limit);
    start();
  }

  private static Path ttrpcAddress() {
    String t = System.getenv("TTRPC_ADDRESS");
    return t == null || t.isEmpty() ? null : Path.of(t.replaceFirst("^unix://", ""));
  }

  private void start() {
    Thread.ofPlatform().daemon().name("events").start(this::deliverAll);
  }

  String namespace() {
    return namespace;
  }

  void publish(String topic, Message event) {
    Any any = Any.newBuilder()
        .setTypeUrl(typeUrl(event))
        .setValue(event.toByteString())
        .build();
    if (!queue.offer(new Pending(topic, any, null))) {
      LOG.warning("publish " + topic + ": " + queue.size() + " events already wait for containerd; dropping this one");
    }
  }

  /**
   * The event's name as containerd's typeurl registry knows it: every event is a message of
   * events.proto (package containerd.events, one Java class per message). Named without
   * {@code getDescriptorForType()}, whose first call builds the descriptors of events.proto and
   * its imports inside the first Create: ~60 ms CPU and ~70 ms of a first container's wall
   * time (A/B, scripts/bench-containerd.sh cold), for a constant string.
   */
  static String typeUrl(Message event) {
    return "containerd.events." + event.getClass().getSimpleName();
  }

  /**
   * The one sending thread: events go out in order, and one that containerd did not take (it is
   * restarting, its socket is gone) is tried again before any later one, so TaskExit never
   * overtakes TaskStart, as containerd's own shims retry theirs.
   */
  private void deliverAll() {
    while (true) {
      Pending p;
      try {
        p = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (p.flushed() != null) {
        p.flushed().complete(null);
        continue;
      }
      for (int attempt = 1; ; attempt++) {
        boolean sent;
        try {
          sent = sender.send(p.topic(), p.event());
        } catch (RuntimeException e) {
          LOG.warning("publish " + p.topic() + ": " + e); // the thread must outlive one bad event
          sent = false;
        }
        if (sent) break;
        if (attempt == ATTEMPTS) {
          LOG.warning("publish " + p.topic() + ": containerd unreachable after " + ATTEMPTS + " attempts; event dropped");
          break;
        }
        try {
          Thread.sleep(retryStep.multipliedBy(attempt));
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** One attempt: true when containerd took the event (or there is nowhere to send it). */
  private boolean send(String topic, Any any) {
    if (ttrpc != null) {
      Instant now = Instant.now();
      Envelope env = Envelope.newBuilder()
          .setTimestamp(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
          .setNamespace(namespace).setTopic(topic).setEvent(any).build();
      try {
        ttrpc.call(FORWARD_SERVICE, "Forward", ForwardRequest.newBuilder().setEnvelope(env).build().toByteArray());
        return true;
      } catch (IOException | RpcException e) {
        LOG.warning("forward " + topic + " over ttrpc: " + e.getMessage() + "; trying the publish binary");
      }
    }
    if (binary.isEmpty()) return ttrpc == null; // no fallback: a failed forward is retried
    try {
      Process p = new ProcessBuilder(binary, "--address", address, "publish", "--topic", topic, "--namespace", namespace)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectErrorStream(true)
          .start();
      try (OutputStream in = p.getOutputStream()) {
        any.writeTo(in);
      }
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        LOG.warning("publish " + topic + ": " + binary + " did not finish in 30 s");
        return false;
      } else if (p.exitValue() != 0) {
        LOG.warning("publish " + topic + ": " + binary + " exited with " + p.exitValue());
        return false;
      }
      return true;
    } catch (IOException e) {
      LOG.warning("publish " + topic + ": " + e.getMessage());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Waits up to {@code millis} for the events queued so far to go out (before the shim exits). */
  void drain(long millis) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    try {
      if (queue.offer(new Pending(null, null, done), millis, TimeUnit.MILLISECONDS)) {
        done.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.warning("events not all sent before exit: " + queue.size() + " still queued");
    }
  }
}
