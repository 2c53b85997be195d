package io.jrunc.core.network;

import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Netlink;
import io.jrunc.core.sys.SysException;
import java.util.ArrayList;
import java.util.List;

/** One NETLINK_ROUTE socket and its request/reply exchange (requests are answered in order). */
final class RtSocket implements AutoCloseable {
  private final int fd;
  private final String where;
  private int seq = 1;

  private RtSocket(int fd, String where) {
    this.fd = fd;
    this.where = where;
  }

  /** A socket in the runtime's own network namespace. */
  static RtSocket here() throws SysException {
    return new RtSocket(Netlink.openRoute(), "in the runtime's network namespace");
  }

  /** A socket in the namespace {@code netnsFd} refers to. */
  static RtSocket in(int netnsFd) throws SysException {
    return new RtSocket(Netlink.openRouteIn(netnsFd, "the container's network namespace"),
        "in the container's network namespace");
  }

  int nextSeq() {
    return seq++;
  }

  /**
   * Sends a request and returns the replies up to its ACK (or, for a dump, NLMSG_DONE); an
   * NLMSG_ERROR with an errno becomes a {@link SysException} naming {@code op}.
   */
  List<RtMessages.Message> exchange(byte[] request, String op) throws SysException {
    Netlink.send(fd, request, op + " " + where);
    List<RtMessages.Message> out = new ArrayList<>();
    while (true) {
      for (RtMessages.Message m : RtMessages.parse(Netlink.receive(fd, op + " " + where))) {
        if (m.type() == RtMessages.NLMSG_ERROR) {
          int errno = RtMessages.error(m);
          if (errno != 0) throw new SysException(op, where, errno);
          return out;
        }
        if (m.type() == RtMessages.NLMSG_DONE) return out;
        out.add(m);
        if ((m.flags() & RtMessages.NLM_F_MULTI) == 0) return out; // a single reply, no ACK asked for
      }
    }
  }

  @Override
  public void close() {
    Libc.close(fd);
  }
}
