package io.jrunc.core.sys;

import static io.jrunc.core.sys.Struct.*;

import java.lang.foreign.MemorySegment;

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

  public static final Struct LAYOUT = Struct.of("winsize",
      u16("ws_row"), u16("ws_col"), u16("ws_xpixel"), u16("ws_ypixel"));

  static final long ROW = LAYOUT.offset("ws_row"),
      COL = LAYOUT.offset("ws_col"),
      XPIXEL = LAYOUT.offset("ws_xpixel"),
      YPIXEL = LAYOUT.offset("ws_ypixel");

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
