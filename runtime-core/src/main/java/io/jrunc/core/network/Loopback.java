package io.jrunc.core.network;

import io.jrunc.core.sys.SysException;

/**
 * Brings {@code lo} up in a network namespace the runtime created, as runc and crun do: a new
 * namespace holds only a loopback interface, and it is down, so without this nothing in the
 * container (nor in a pod sharing its namespace) can reach 127.0.0.1. A namespace joined by
 * path is set up by whoever made it and is left alone.
 *
 * <p>One rtnetlink {@code RTM_NEWLINK} with {@code IFF_UP}, sent from a socket opened inside the
 * namespace ({@link RtSocket#in}). The loopback device of every network namespace has ifindex
 * {@value #LOOPBACK_IFINDEX} (the kernel's {@code LOOPBACK_IFINDEX}, fixed since Linux 3.19), so
 * no lookup is needed.
 */
public final class Loopback {
  private Loopback() {}

  static final int LOOPBACK_IFINDEX = 1;

  /** Sets {@code lo} up in the namespace {@code netnsFd} refers to. */
  public static void up(int netnsFd) throws SysException {
    try (RtSocket s = RtSocket.in(netnsFd)) {
      try {
        s.exchange(RtMessages.setUp(s.nextSeq(), LOOPBACK_IFINDEX), "set up");
      } catch (SysException x) {
        throw new SysException("bring the loopback interface lo up", "in the container's network namespace", x.errno());
      }
    }
  }
}
