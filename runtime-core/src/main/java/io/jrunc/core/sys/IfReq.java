package io.jrunc.core.sys;

import static io.jrunc.core.sys.Struct.*;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * {@code struct ifreq} of the interface ioctls ({@code <linux/if.h>}; 40 bytes on 64-bit
 * Linux), as {@code SIOCSIFFLAGS} reads it:
 *
 * <pre>{@code
 * struct ifreq {
 *     char  ifr_name[IFNAMSIZ];  //  0  NUL-terminated, IFNAMSIZ = 16
 *     union {
 *         short ifr_flags;        // 16  IFF_*
 *         ...                     //     the largest member is a 24-byte struct ifmap
 *     };
 * };
 * }</pre>
 */
public final class IfReq {
  private IfReq() {}

  /** {@code IFNAMSIZ}: the name with its NUL. */
  static final int NAME_SIZE = 16;

  public static final Struct LAYOUT = Struct.of("ifreq",
      bytes("ifr_name", NAME_SIZE), u16("ifr_flags"), padding(22));

  static final long FLAGS = NAME_SIZE;

  /** {@code SIOCSIFFLAGS} ({@code <linux/sockios.h>}): set an interface's flags. */
  public static final long SIOCSIFFLAGS = 0x8914;

  /** {@code IFF_UP} ({@code <linux/if.h>}). */
  public static final short IFF_UP = 0x1;

  /**
   * Writes {@code name} and {@code flags} into zeroed memory for {@link #LAYOUT}. The kernel
   * takes every flag it lets callers change from {@code flags} ({@code dev_change_flags}), so
   * this is for an interface whose other such flags are clear, as a new namespace's {@code lo}.
   */
  public static MemorySegment writeFlags(MemorySegment req, String name, short flags) {
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    if (n.length >= NAME_SIZE) throw new IllegalArgumentException("interface name longer than 15 bytes: " + name);
    NativeCopy.fromBytes(n, 0, req, 0, n.length);
    Memory.setShort(req, FLAGS, flags);
    return req;
  }
}
