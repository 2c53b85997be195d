package io.jrunc.core.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
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

  /** The structs written in one copy land where the kernel's headers put each member. */
  @Test
  void consecutiveLongsAreWrittenInOneCopyWhereTheStructPutsThem() {
    MemorySegment how = OpenHow.LAYOUT.allocate(arena);
    OpenHow.write(how, 1, 2, 3);
    assertThat(List.of(how.get(JAVA_LONG, 0), how.get(JAVA_LONG, 8), how.get(JAVA_LONG, 16))).containsExactly(1L, 2L, 3L);
    MemorySegment attr = MountAttr.LAYOUT.allocate(arena);
    MountAttr.write(attr, 4, 5, 6, 7);
    assertThat(List.of(attr.get(JAVA_LONG, 0), attr.get(JAVA_LONG, 8), attr.get(JAVA_LONG, 16), attr.get(JAVA_LONG, 24)))
        .containsExactly(4L, 5L, 6L, 7L);
    assertThat(MountAttr.LAYOUT.consecutiveLongs("attr_clr", "propagation")).isEqualTo(8);
    // not consecutive, not in order, a 2-byte member, no such member
    assertThatThrownBy(() -> MountAttr.LAYOUT.consecutiveLongs("attr_set", "propagation"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OpenHow.LAYOUT.consecutiveLongs("mode", "flags"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Winsize.LAYOUT.consecutiveLongs("ws_row"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OpenHow.LAYOUT.consecutiveLongs("nope"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Memory.setLongs(arena.allocate(16), 0, 1, 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  /**
   * A {@link Struct} is laid out as the JDK lays out the same members (the C rule for naturally
   * aligned members with the padding written out), and refuses what the JDK refuses: a member
   * off its alignment, or a size that is no multiple of the struct's alignment.
   */
  @Test
  void aStructIsLaidOutAsTheJdksLayoutOfTheSameMembers() {
    Struct ours = Struct.of("msghdr", Struct.pointer("msg_name"), Struct.u32("msg_namelen"), Struct.padding(4),
        Struct.pointer("msg_iov"), Struct.u64("msg_iovlen"), Struct.u16("s"), Struct.bytes("b", 6));
    StructLayout jdk = MemoryLayout.structLayout(ADDRESS.withName("msg_name"), JAVA_INT.withName("msg_namelen"),
        MemoryLayout.paddingLayout(4), ADDRESS.withName("msg_iov"), JAVA_LONG.withName("msg_iovlen"),
        JAVA_SHORT.withName("s"), MemoryLayout.sequenceLayout(6, java.lang.foreign.ValueLayout.JAVA_BYTE).withName("b"));
    for (String m : List.of("msg_name", "msg_namelen", "msg_iov", "msg_iovlen", "s", "b")) {
      assertThat(ours.offset(m)).as(m).isEqualTo(jdk.byteOffset(groupElement(m))).isEqualTo(Memory.offset(jdk, m));
    }
    assertThat(ours.byteSize()).isEqualTo(jdk.byteSize());
    assertThat(ours.byteAlignment()).isEqualTo(jdk.byteAlignment());
    assertThat(Struct.array(CapUserData.LAYOUT, 2).byteSize()).isEqualTo(24);
    assertThat(ours.allocate(arena).address() % 8).isZero();
    assertThatThrownBy(() -> Struct.of("x", Struct.u32("a"), Struct.u64("b"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x.b");
    assertThatThrownBy(() -> Struct.of("y", Struct.u64("a"), Struct.u32("b"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trailing padding");
    assertThatThrownBy(() -> ours.offset("nope")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
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
}
