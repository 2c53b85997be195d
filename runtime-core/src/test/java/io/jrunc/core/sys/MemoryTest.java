package io.jrunc.core.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Memory} against the JDK's own layout access (VarHandles, layout paths), which it replaces. */
class MemoryTest {
  private final Arena arena = Arena.ofConfined();

  @AfterEach
  void close() {
    arena.close();
  }

  @Test
  void valuesReadAndWrittenAsTheJdksLayoutsDo() {
    MemorySegment s = arena.allocate(32);
    Memory.setLong(s, 8, 0x0102030405060708L);
    Memory.setInt(s, 4, -2);
    Memory.setShort(s, 2, (short) 0xBEEF);
    assertThat(s.get(JAVA_LONG, 8)).isEqualTo(0x0102030405060708L);
    assertThat(s.get(JAVA_INT, 4)).isEqualTo(-2);
    assertThat(s.get(JAVA_SHORT, 2)).isEqualTo((short) 0xBEEF);

    s.set(JAVA_LONG, 16, -7L);
    s.set(JAVA_INT, 24, 0x7fff_0001);
    s.set(JAVA_SHORT, 28, (short) 3);
    assertThat(Memory.getLong(s, 16)).isEqualTo(-7L);
    assertThat(Memory.getInt(s, 24)).isEqualTo(0x7fff_0001);
    assertThat(Memory.getShort(s, 28)).isEqualTo((short) 3);
    // unaligned, as epoll_event's 64-bit field is
    Memory.setLong(s, 20, 0x1122334455667788L);
    assertThat(Memory.getLong(s, 20)).isEqualTo(0x1122334455667788L);
  }

  /** The structs written in one copy land where the JDK's layout paths put each member. */
  @Test
  void consecutiveLongsAreWrittenInOneCopyWhereTheLayoutPutsThem() {
    MemorySegment how = arena.allocate(OpenHow.LAYOUT);
    OpenHow.write(how, 1, 2, 3);
    assertThat(List.of(how.get(JAVA_LONG, OpenHow.LAYOUT.byteOffset(groupElement("flags"))),
        how.get(JAVA_LONG, OpenHow.LAYOUT.byteOffset(groupElement("mode"))),
        how.get(JAVA_LONG, OpenHow.LAYOUT.byteOffset(groupElement("resolve"))))).containsExactly(1L, 2L, 3L);
    MemorySegment attr = arena.allocate(MountAttr.LAYOUT);
    MountAttr.write(attr, 4, 5, 6, 7);
    assertThat(List.of("attr_set", "attr_clr", "propagation", "userns_fd").stream()
        .map(n -> attr.get(JAVA_LONG, MountAttr.LAYOUT.byteOffset(groupElement(n)))).toList()).containsExactly(4L, 5L, 6L, 7L);
    assertThat(Memory.consecutiveLongs(MountAttr.LAYOUT, "attr_clr", "propagation")).isEqualTo(8);
    // not consecutive, not in order, a 4-byte member, no such member
    assertThatThrownBy(() -> Memory.consecutiveLongs(MountAttr.LAYOUT, "attr_set", "propagation"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Memory.consecutiveLongs(OpenHow.LAYOUT, "mode", "flags"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Memory.consecutiveLongs(Winsize.LAYOUT, "ws_row"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Memory.consecutiveLongs(OpenHow.LAYOUT, "nope"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Memory.setLongs(arena.allocate(16), 0, 1, 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void accessOutsideTheSegmentIsRefused() {
    MemorySegment s = arena.allocate(8);
    assertThatThrownBy(() -> Memory.getLong(s, 4)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> Memory.setInt(s, 6, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> Memory.getShort(s, -1)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void cStringStopsAtTheNulOrTheSegmentsEnd() {
    String longer = "x".repeat(300) + "é"; // across the 256-byte chunks
    MemorySegment s = NativeCopy.cString(arena, longer);
    assertThat(Memory.cString(s, 0)).isEqualTo(longer);
    assertThat(Memory.cString(s, 299)).isEqualTo("xé");
    MemorySegment raw = arena.allocate(512);
    byte[] b = "abc".getBytes(StandardCharsets.UTF_8);
    NativeCopy.fromBytes(b, 0, raw, 256, 3);
    assertThat(Memory.cString(raw, 256)).isEqualTo("abc");
    assertThat(Memory.cString(raw.asSlice(0, 259), 256)).isEqualTo("abc"); // no NUL: up to the end
    assertThat(Memory.cString(raw, 512)).isEmpty();
  }

  @Test
  void offsetsAreTheLayoutPathsOffsetsForEveryStructOfSys() {
    List<StructLayout> layouts = List.of(CloneArgs.LAYOUT, OpenHow.LAYOUT, MountAttr.LAYOUT, SockFprog.LAYOUT,
        MsgHdr.LAYOUT, Iovec.LAYOUT, CmsgHdr.LAYOUT, CapUserHeader.LAYOUT, CapUserData.LAYOUT, Rlimit.LAYOUT,
        Winsize.LAYOUT, KernelSigaction.LAYOUT, SchedAttr.LAYOUT);
    int checked = 0;
    for (StructLayout l : layouts) {
      for (MemoryLayout m : l.memberLayouts()) {
        if (m.name().isEmpty()) continue; // padding
        String name = m.name().get();
        assertThat(Memory.offset(l, name)).as(l + " " + name).isEqualTo(l.byteOffset(groupElement(name)));
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(40);
    assertThatThrownBy(() -> Memory.offset(Rlimit.LAYOUT, "nope")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope");
  }
}
