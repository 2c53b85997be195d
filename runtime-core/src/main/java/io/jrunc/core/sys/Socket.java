package io.jrunc.core.sys;

/** Socket constants ({@code <sys/socket.h>}, {@code <linux/netlink.h>}; x86-64 and aarch64). */
public final class Socket {
  private Socket() {}

  public static final int AF_UNIX = 1, AF_INET = 2, AF_NETLINK = 16;
  public static final int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000;
  public static final int NETLINK_ROUTE = 0;
  /** Control messages ({@link CmsgHdr}): a level and a type. */
  public static final int SOL_SOCKET = 1, SCM_RIGHTS = 1;
  public static final int MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000;
}
