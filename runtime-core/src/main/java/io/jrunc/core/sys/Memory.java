package io.jrunc.core.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;

/**
 * Single values in off-heap memory, read and written as copies through a heap array: no
 * VarHandle and no layout path. (The kernel structs' offsets come from {@link Struct};
 * {@link #offset} sums a JDK layout's members for the one the JDK hands out, the errno capture's.)
 *
 * <p>Why not {@code MemorySegment.get/set(ValueLayout, long)} and
 * {@code StructLayout.byteOffset(PathElement)}: the first access of each width in a JVM makes that
 * layout's VarHandle (a VarHandleSegmentAs* class to initialise), and the first of either
 * initialises {@code jdk.internal.foreign.LayoutPath}, whose static set-up spins seven LambdaForms:
 * ~3 ms of every cold JVM that touches a struct, none of it kept by an AOT cache. The link thread
 * used to pay it ahead of the main thread, and so ended ~3 ms after the link itself, when the
 * main thread's planning did (issue 14, round 8). A copy of 2, 4 or 8 bytes between segments is
 * plain memory access ({@code SegmentBulkOperations}: bounds checks, then one unaligned load and
 * store); a heap {@code int[]}, {@code long[]} or {@code short[]} holds its element in the native
 * byte order, as {@code JAVA_INT}, {@code JAVA_LONG} and {@code JAVA_SHORT} do. Alignment is not
 * checked (the kernel's structs are naturally aligned; epoll_event's 64-bit field is not).
 */
public final class Memory {
  private Memory() {}

  /** The {@code int} at byte offset {@code off} of {@code s}. */
  public static int getInt(MemorySegment s, long off) {
    int[] v = new int[1];
    read(s, off, MemorySegment.ofArray(v));
    return v[0];
  }

  /** The {@code long} at byte offset {@code off} of {@code s}. */
  public static long getLong(MemorySegment s, long off) {
    long[] v = new long[1];
    read(s, off, MemorySegment.ofArray(v));
    return v[0];
  }

  /** The {@code short} at byte offset {@code off} of {@code s}. */
  public static short getShort(MemorySegment s, long off) {
    short[] v = new short[1];
    read(s, off, MemorySegment.ofArray(v));
    return v[0];
  }

  /** Stores {@code value} as an {@code int} at byte offset {@code off} of {@code s}. */
  public static void setInt(MemorySegment s, long off, int value) {
    write(MemorySegment.ofArray(new int[] {value}), s, off);
  }

  /** Stores {@code value} as a {@code long} (or a pointer) at byte offset {@code off} of {@code s}. */
  public static void setLong(MemorySegment s, long off, long value) {
    write(MemorySegment.ofArray(new long[] {value}), s, off);
  }

  /**
   * Stores {@code values} as consecutive {@code long}s from byte offset {@code off} of {@code s}:
   * one copy for a struct of u64 fields (open_how, mount_attr), where a {@link #setLong} per
   * field made a heap segment and ran FFM's checks per field (a create's program writes ~100 such
   * structs, interpreted).
   */
  public static void setLongs(MemorySegment s, long off, long... values) {
    write(MemorySegment.ofArray(values), s, off);
  }

  /** Stores {@code value} as a {@code short} at byte offset {@code off} of {@code s}. */
  public static void setShort(MemorySegment s, long off, short value) {
    write(MemorySegment.ofArray(new short[] {value}), s, off);
  }

  /** Copies {@code value}'s size in bytes from {@code s} at {@code off} into it. */
  private static void read(MemorySegment s, long off, MemorySegment value) {
    MemorySegment.copy(s, off, value, 0, value.byteSize());
  }

  /** Copies all of {@code value} into {@code s} at {@code off}. */
  private static void write(MemorySegment value, MemorySegment s, long off) {
    MemorySegment.copy(value, 0, s, off, value.byteSize());
  }

  /**
   * The NUL-terminated UTF-8 string at byte offset {@code off} of {@code s}, read in chunks up to
   * the NUL and never past the segment's end (without a NUL, the bytes up to the end).
   */
  public static String cString(MemorySegment s, long off) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] chunk = new byte[256];
    for (long at = off; at < s.byteSize(); at += chunk.length) {
      int n = (int) Math.min(chunk.length, s.byteSize() - at);
      MemorySegment.copy(s, at, MemorySegment.ofArray(chunk), 0, n);
      int nul = 0;
      while (nul < n && chunk[nul] != 0) nul++;
      out.write(chunk, 0, nul);
      if (nul < n) break;
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * The byte offset of the member named {@code name} in {@code layout}: the sizes of the members
   * before it (padding included, as the layout lists it), summed.
   *
   * @throws IllegalArgumentException when {@code layout} has no such member
   */
  public static long offset(StructLayout layout, String name) {
    long off = 0;
    for (MemoryLayout m : layout.memberLayouts()) {
      if (m.name().isPresent() && m.name().get().equals(name)) return off;
      off += m.byteSize();
    }
    throw new IllegalArgumentException("no member " + name + " in " + layout);
  }
}
