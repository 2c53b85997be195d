package io.jrunc.core.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Java arrays into and out of off-heap memory, and C strings, as copies between segments: the
 * array's heap segment and the off-heap one.
 *
 * <p>Why not the JDK's array forms ({@code MemorySegment.copy(byte[], ..., MemorySegment, ...)},
 * {@code SegmentAllocator.allocateFrom(String)}): their first use in a JVM bootstraps a pattern
 * switch over the array's type in {@code jdk.internal.foreign.Utils} (two classes spun at run
 * time, which no AOT cache keeps: ~0.9 ms of a cold create), and {@code allocateFrom(String)}
 * writes its NUL through a VarHandle. A segment-to-segment copy does neither; the bytes are the
 * same (a heap {@code long[]} holds its elements in the native byte order, as
 * {@code JAVA_LONG} does).
 */
public final class NativeCopy {
  private NativeCopy() {}

  /** {@code s} in UTF-8 with a terminating NUL, in memory from {@code a}. */
  public static MemorySegment cString(SegmentAllocator a, String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    byte[] z = Arrays.copyOf(utf8, utf8.length + 1); // the NUL: copied, not set through a VarHandle
    MemorySegment m = a.allocate(z.length);
    MemorySegment.copy(MemorySegment.ofArray(z), 0, m, 0, z.length);
    return m;
  }

  /** {@code len} bytes of {@code src} from {@code srcOff} into {@code dst} at {@code dstOff}. */
  public static void fromBytes(byte[] src, int srcOff, MemorySegment dst, long dstOff, int len) {
    MemorySegment.copy(MemorySegment.ofArray(src), srcOff, dst, dstOff, len);
  }

  /** {@code count} longs of {@code src} from index {@code from} into {@code dst} at {@code dstOff}. */
  public static void fromLongs(long[] src, int from, MemorySegment dst, long dstOff, int count) {
    MemorySegment.copy(MemorySegment.ofArray(src), (long) from * Long.BYTES, dst, dstOff, (long) count * Long.BYTES);
  }

  /** {@code len} bytes of {@code src} from {@code srcOff} into {@code dst} at {@code dstOff}. */
  public static void toBytes(MemorySegment src, long srcOff, byte[] dst, int dstOff, int len) {
    MemorySegment.copy(src, srcOff, MemorySegment.ofArray(dst), dstOff, len);
  }
}
