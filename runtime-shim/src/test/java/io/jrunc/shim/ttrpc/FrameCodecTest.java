package io.jrunc.shim.ttrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

  @Test
  void roundTripKeepsEveryFieldAndTheWireLayout() throws Exception {
    var out = new ByteArrayOutputStream();
    FrameCodec.write(out, new Frame(0x01020305, Frame.TYPE_RESPONSE, 4, new byte[] {9, 8, 7}));
    byte[] wire = out.toByteArray();
    // big-endian length 3, stream 0x01020305, type 2, flags 4, payload
    assertThat(wire).containsExactly(0, 0, 0, 3, 1, 2, 3, 5, 2, 4, 9, 8, 7);
    Frame f = FrameCodec.read(new ByteArrayInputStream(wire));
    assertThat(f.streamId()).isEqualTo(0x01020305);
    assertThat(f.type()).isEqualTo(2);
    assertThat(f.flags()).isEqualTo(4);
    assertThat(f.payload()).containsExactly(9, 8, 7);
  }

  @Test
  void twoFramesBackToBackAndThenCleanEof() throws Exception {
    var out = new ByteArrayOutputStream();
    FrameCodec.write(out, new Frame(1, 1, 0, new byte[0]));
    FrameCodec.write(out, new Frame(3, 1, 0, new byte[] {42}));
    var in = new ByteArrayInputStream(out.toByteArray());
    assertThat(FrameCodec.read(in).streamId()).isEqualTo(1);
    assertThat(FrameCodec.read(in).payload()).containsExactly(42);
    assertThat(FrameCodec.read(in)).isNull();
  }

  @Test
  void oversizedPayloadIsSkippedAndReportedWithItsStream() throws Exception {
    int len = FrameCodec.MAX_PAYLOAD + 1;
    byte[] wire = new byte[10 + len + 10];
    wire[0] = (byte) (len >>> 24);
    wire[1] = (byte) (len >>> 16);
    wire[2] = (byte) (len >>> 8);
    wire[3] = (byte) len;
    wire[7] = 7;
    wire[8] = 1;
    // a second, empty frame right after: the reader must still be in step
    int second = 10 + len;
    wire[second + 7] = 9;
    wire[second + 8] = 1;
    var in = new ByteArrayInputStream(wire);
    assertThatThrownBy(() -> FrameCodec.read(in))
        .isInstanceOf(FrameTooLargeException.class)
        .hasMessageContaining("stream 7")
        .hasMessageContaining("exceeds the limit of 4194304")
        .satisfies(e -> assertThat(((FrameTooLargeException) e).streamId()).isEqualTo(7));
    assertThat(FrameCodec.read(in).streamId()).isEqualTo(9);
  }

  @Test
  void writeRefusesAnOversizedPayload() {
    assertThatThrownBy(() -> FrameCodec.write(new ByteArrayOutputStream(),
        new Frame(1, 2, 0, new byte[FrameCodec.MAX_PAYLOAD + 1])))
        .hasMessageContaining("exceeds the limit");
  }

  @Test
  void shortHeaderIsAnEofError() {
    var in = new ByteArrayInputStream(new byte[] {0, 0, 0, 5, 0});
    assertThatThrownBy(() -> FrameCodec.read(in)).isInstanceOf(EOFException.class).hasMessageContaining("header");
  }

  @Test
  void shortPayloadIsAnEofError() throws Exception {
    var out = new ByteArrayOutputStream();
    FrameCodec.write(out, new Frame(1, 1, 0, new byte[] {1, 2, 3, 4, 5}));
    byte[] cut = Arrays.copyOf(out.toByteArray(), 12);
    assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(cut)))
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("inside a payload of 5 bytes");
  }
}
