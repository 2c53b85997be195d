package io.jrunc.core.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * A kernel struct as jrunc writes and reads it: its members in order, padding written out, each
 * member at the sum of the sizes before it. The structs of this package are naturally aligned
 * on x86-64 with their padding spelled out (as the kernel's headers lay them out), so that sum
 * is the C offset; {@code StructLayoutsTest} holds every size and offset to the numbers of the
 * kernel's headers.
 *
 * <p>Not the JDK's {@code MemoryLayout.structLayout}: it builds each layout through a stream
 * pipeline and group-layout implementations, which put ~35 classes in create's and run's AOT
 * caches (loaded by every such call before {@code Main}: 1601 -> 1568 without them) and cost the
 * link thread ~0.4 ms of set-up at the first struct, for what are a dozen constants. The JDK's value layouts ({@code JAVA_INT}, {@code ADDRESS}) are still used where
 * FFM itself asks for a layout.
 */
public final class Struct {
  /** One member: a name (null for padding), its size and its alignment in bytes. */
  public record Member(String name, long size, long alignment) {}

  /** An unsigned or signed 64-bit member ({@code __u64}, {@code long}). */
  public static Member u64(String name) {
    return new Member(name, 8, 8);
  }

  /** A pointer (x86-64: 8 bytes). */
  public static Member pointer(String name) {
    return new Member(name, 8, 8);
  }

  /** A 32-bit member ({@code int}, {@code __u32}). */
  public static Member u32(String name) {
    return new Member(name, 4, 4);
  }

  /** A 16-bit member ({@code unsigned short}). */
  public static Member u16(String name) {
    return new Member(name, 2, 2);
  }

  /** {@code n} bytes ({@code char name[n]}). */
  public static Member bytes(String name, long n) {
    return new Member(name, n, 1);
  }

  /** {@code n} bytes of padding. */
  public static Member padding(long n) {
    return new Member(null, n, 1);
  }

  private final String name;
  private final Member[] members;
  private final long size;
  private final long alignment;

  private Struct(String name, Member[] members) {
    this.name = name;
    this.members = members.clone();
    long s = 0, a = 1;
    for (Member m : this.members) {
      if (s % m.alignment() != 0) throw new IllegalArgumentException(name + "." + m.name() + " is not aligned at " + s);
      s += m.size();
      a = Math.max(a, m.alignment());
    }
    if (s % a != 0) throw new IllegalArgumentException(name + " needs trailing padding to " + a + " bytes");
    this.size = s;
    this.alignment = a;
  }

  /** The struct {@code name} of {@code members}, in order; refused when one is misaligned. */
  public static Struct of(String name, Member... members) {
    return new Struct(name, members);
  }

  /** {@code count} of {@code element} in a row ({@code struct x name[count]}). */
  public static Struct array(Struct element, int count) {
    Member[] ms = new Member[count];
    for (int i = 0; i < count; i++) ms[i] = new Member(null, element.size, element.alignment);
    return new Struct(element.name + "[" + count + "]", ms);
  }

  public long byteSize() {
    return size;
  }

  public long byteAlignment() {
    return alignment;
  }

  /**
   * The byte offset of the member {@code member}.
   *
   * @throws IllegalArgumentException when there is none of that name
   */
  public long offset(String member) {
    long off = 0;
    for (Member m : members) {
      if (member.equals(m.name())) return off;
      off += m.size();
    }
    throw new IllegalArgumentException("no member " + member + " in " + name);
  }

  /**
   * The offset of the first of {@code names}, checked to be followed by the others as
   * consecutive 8-byte members (the precondition of {@link Memory#setLongs} on them).
   *
   * @throws IllegalArgumentException when they are not
   */
  public long consecutiveLongs(String... names) {
    long first = offset(names[0]);
    for (int i = 0; i < names.length; i++) {
      if (offset(names[i]) != first + 8L * i || sizeOf(names[i]) != 8) {
        throw new IllegalArgumentException(String.join(", ", names) + " are not consecutive u64 members of " + name);
      }
    }
    return first;
  }

  private long sizeOf(String member) {
    for (Member m : members) if (member.equals(m.name())) return m.size();
    throw new IllegalArgumentException("no member " + member + " in " + name);
  }

  /** Zeroed memory for one of these from {@code allocator} (an arena). */
  public MemorySegment allocate(SegmentAllocator allocator) {
    return allocator.allocate(size, alignment);
  }

  @Override
  public String toString() {
    return name + "(" + size + " bytes)";
  }
}
