package io.jrunc.core.sys;

import static io.jrunc.core.sys.Struct.*;

/**
 * {@code struct __user_cap_header_struct} of capget(2)/capset(2) ({@code <linux/capability.h>};
 * 8 bytes), followed in the call by {@link CapUserData}:
 *
 * <pre>{@code
 * typedef struct __user_cap_header_struct {
 *     __u32 version; // 0  _LINUX_CAPABILITY_VERSION_3
 *     int   pid;     // 4  0: the calling thread
 * } *cap_user_header_t;
 * }</pre>
 */
public final class CapUserHeader {
  private CapUserHeader() {}

  /** {@code _LINUX_CAPABILITY_VERSION_3} (Linux 2.6.26): 64-bit sets, two {@link CapUserData} words. */
  public static final int VERSION_3 = 0x20080522;

  public static final Struct LAYOUT = Struct.of("__user_cap_header_struct",
      u32("version"), u32("pid"));

  static final long VERSION = LAYOUT.offset("version"),
      PID = LAYOUT.offset("pid");

  /** Where {@link #v3Fields} begin: for a builder that stages the values. */
  public static final long FIELDS = 0;

  static {
    if (VERSION != 0 || PID != 4) throw new ExceptionInInitializerError("__user_cap_header_struct is not version, pid");
  }

  /** A version 3 header for the calling thread (pid 0), as consecutive u32 from {@link #FIELDS}. */
  public static int[] v3Fields() {
    return new int[] {VERSION_3, 0};
  }
}
