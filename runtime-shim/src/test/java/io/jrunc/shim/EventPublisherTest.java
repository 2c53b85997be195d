package io.jrunc.shim;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;
import io.jrunc.shim.proto.EventsProto;
import io.jrunc.shim.proto.TaskOOM;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Event type names, and events containerd does not take: retried in order, the queue that
 * waits bounded.
 */
class EventPublisherTest {
  /** The type URL named without descriptors is the one containerd's typeurl registry knows. */
  @Test
  void typeUrlOfEveryEventIsItsProtobufFullName() throws Exception {
    assertThat(EventsProto.getDescriptor().getMessageTypes()).isNotEmpty();
    for (Descriptor d : EventsProto.getDescriptor().getMessageTypes()) {
      Class<?> c = Class.forName("io.jrunc.shim.proto." + d.getName());
      Message m = (Message) c.getMethod("getDefaultInstance").invoke(null);
      assertThat(EventPublisher.typeUrl(m)).isEqualTo(d.getFullName()).startsWith("containerd.events.");
    }
  }

  private static String id(Any a) {
    try {
      return TaskOOM.parseFrom(a.getValue()).getContainerId(); // containerd's type URLs have no type.googleapis.com/ for unpack()
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static TaskOOM oom(String id) {
    return TaskOOM.newBuilder().setContainerId(id).build();
  }

  /** Pids' exec info is named by hand too: the name must be the restated message's. */
  @Test
  void processDetailsTypeUrlIsItsProtobufFullName() {
    assertThat(io.jrunc.shim.proto.ProcessDetails.getDescriptor().getFullName()).isEqualTo("containerd.runc.v1.ProcessDetails");
  }

  @Test
  void unreachableContainerdGetsTheEventsLaterInOrder() {
    List<String> delivered = new CopyOnWriteArrayList<>();
    AtomicInteger failures = new AtomicInteger(3); // containerd restarting: the first 3 attempts fail
    EventPublisher p = new EventPublisher("ns", (topic, any) -> {
      if (failures.getAndDecrement() > 0) return false;
      delivered.add(topic + " " + id(any));
      return true;
    }, Duration.ofMillis(5), 16);
    p.publish("/tasks/oom", oom("a"));
    p.publish("/tasks/oom", oom("b"));
    p.publish("/tasks/oom", oom("c"));
    p.drain(5_000);
    assertThat(delivered).containsExactly("/tasks/oom a", "/tasks/oom b", "/tasks/oom c");
  }

  @Test
  void anEventIsGivenUpAfterItsAttemptsAndTheNextGoesOut() {
    List<String> delivered = new CopyOnWriteArrayList<>();
    AtomicInteger attemptsOfA = new AtomicInteger();
    EventPublisher p = new EventPublisher("ns", (topic, any) -> {
      if (id(any).equals("a")) {
        attemptsOfA.incrementAndGet();
        return false;
      }
      delivered.add(id(any));
      return true;
    }, Duration.ofMillis(1), 16);
    p.publish("/tasks/oom", oom("a"));
    p.publish("/tasks/oom", oom("b"));
    p.drain(5_000);
    assertThat(attemptsOfA).hasValue(EventPublisher.ATTEMPTS);
    assertThat(delivered).containsExactly("b");
  }

  @Test
  void theWaitingQueueIsBounded() throws Exception {
    CountDownLatch taken = new CountDownLatch(1), release = new CountDownLatch(1);
    List<String> delivered = new CopyOnWriteArrayList<>();
    EventPublisher p = new EventPublisher("ns", (topic, any) -> {
      taken.countDown();
      try {
        release.await(); // containerd hangs: the first event is in flight, the others wait
      } catch (InterruptedException e) {
        return false;
      }
      delivered.add(id(any));
      return true;
    }, Duration.ofMillis(1), 2);
    p.publish("/tasks/oom", oom("in-flight"));
    assertThat(taken.await(5, TimeUnit.SECONDS)).isTrue();
    for (String id : List.of("q1", "q2", "dropped")) p.publish("/tasks/oom", oom(id));
    release.countDown();
    p.drain(5_000);
    assertThat(delivered).containsExactly("in-flight", "q1", "q2");
  }
}
