package io.jrunc.core.sys;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct winsize} of the TIOCGWINSZ/TIOCSWINSZ ioctls ({@code <asm-generic/termios.h>};
 * 8 bytes):
 *
 * <pre>{@code
 * struct winsize {
 *     unsigned short ws_row;    // 0
 *     unsigned short ws_col;    // 2
 *     unsigned short ws_xpixel; // 4
 *     unsigned short ws_ypixel; // 6
 * };
 * }</pre>
 */
public final class Winsize {
  private Winsize() {}

  public static final StructLayout LAYOUT = MemoryLayout.structLayout(
      JAVA_SHORT.withName("ws_row"),
      JAVA_SHORT.withName("ws_col"),
      JAVA_SHORT.withName("ws_xpixel"),
      JAVA_SHORT.withName("ws_ypixel")).withName("winsize");

  static final long ROW = Memory.offset(LAYOUT, "ws_row"),
      COL = Memory.offset(LAYOUT, "ws_col"),
      XPIXEL = Memory.offset(LAYOUT, "ws_xpixel"),
      YPIXEL = Memory.offset(LAYOUT, "ws_ypixel");

  /** Each value is an unsigned short: the low 16 bits are stored. */
  public static MemorySegment write(MemorySegment ws, int rows, int cols, int xpixel, int ypixel) {
    Memory.setShort(ws, ROW, (short) rows);
    Memory.setShort(ws, COL, (short) cols);
    Memory.setShort(ws, XPIXEL, (short) xpixel);
    Memory.setShort(ws, YPIXEL, (short) ypixel);
    return ws;
  }

  static int rows(MemorySegment ws) {
    return Short.toUnsignedInt(Memory.getShort(ws, ROW));
  }

  static int cols(MemorySegment ws) {
    return Short.toUnsignedInt(Memory.getShort(ws, COL));
  }

  static int xpixel(MemorySegment ws) {
    return Short.toUnsignedInt(Memory.getShort(ws, XPIXEL));
  }

  static int ypixel(MemorySegment ws) {
    return Short.toUnsignedInt(Memory.getShort(ws, YPIXEL));
  }
}
