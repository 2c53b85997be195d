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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * TaskStart before TaskExit.
 */
final class EventPublisher {
  private static final Logger LOG = Logger.getLogger(EventPublisher.class.getName());
  static final String FORWARD_SERVICE = "containerd.services.events.ttrpc.v1.Events";
  private final String binary;
  private final String address;
  private final String namespace;
  private final TtrpcClient ttrpc;
  private final ExecutorService queue = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "events");
    t.setDaemon(true);
    return t;
  });

  EventPublisher(String binary, String address, String namespace) {
    this(binary, address, namespace, ttrpcAddress());
  }

  /** Forwarding to the events service on {@code ttrpc} (null: the publish binary only). */
  EventPublisher(String binary, String address, String namespace, Path ttrpc) {
    this.binary = binary;
    this.address = address;
    this.namespace = namespace;
    this.ttrpc = ttrpc == null ? null : new TtrpcClient(ttrpc);
  }

  private static Path ttrpcAddress() {
    String t = System.getenv("TTRPC_ADDRESS");
    return t == null || t.isEmpty() ? null : Path.of(t.replaceFirst("^unix://", ""));
  }

  String namespace() {
    return namespace;
  }

  void publish(String topic, Message event) {
    Any any = Any.newBuilder()
        .setTypeUrl(typeUrl(event))
        .setValue(event.toByteString())
        .build();
    queue.execute(() -> send(topic, any));
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

  private void send(String topic, Any any) {
    if (ttrpc != null) {
      Instant now = Instant.now();
      Envelope env = Envelope.newBuilder()
          .setTimestamp(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
          .setNamespace(namespace).setTopic(topic).setEvent(any).build();
      try {
        ttrpc.call(FORWARD_SERVICE, "Forward", ForwardRequest.newBuilder().setEnvelope(env).build().toByteArray());
        return;
      } catch (IOException | RpcException e) {
        LOG.warning("forward " + topic + " over ttrpc: " + e.getMessage() + "; trying the publish binary");
      }
    }
    if (binary.isEmpty()) return;
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
      } else if (p.exitValue() != 0) {
        LOG.warning("publish " + topic + ": " + binary + " exited with " + p.exitValue());
      }
    } catch (IOException e) {
      LOG.warning("publish " + topic + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for the events queued so far (before the shim exits). */
  void drain(long millis) {
    queue.shutdown();
    try {
      queue.awaitTermination(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
