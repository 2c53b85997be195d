package io.jrunc.shim;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;
import io.jrunc.shim.proto.EventsProto;
import org.junit.jupiter.api.Test;

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
}
