package io.jrunc.core.sys;

import static io.jrunc.core.sys.Clone.CLONE_NEWNET;
import static io.jrunc.core.sys.Socket.AF_NETLINK;
import static io.jrunc.core.sys.Socket.NETLINK_ROUTE;
import static io.jrunc.core.sys.Socket.SOCK_CLOEXEC;
import static io.jrunc.core.sys.Socket.SOCK_RAW;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReference;

/**
 * NETLINK_ROUTE sockets (rtnetlink(7)): the transport only. Messages are built and parsed by
 * {@code io.jrunc.core.network}; this class sends and receives their bytes.
 *
 * <p>A netlink socket belongs to the network namespace it was created in, for its whole life.
 * {@link #openRouteIn} makes one inside another namespace by switching a thread of its own
 * there and back (setns(2) with CLONE_NEWNET changes only the calling thread), so no JVM
 * thread that runs anything else ever sees another namespace.
 */
public final class Netlink {
  private Netlink() {}

  /** Large enough for one datagram of a dump (the kernel fills up to ~32 KiB per recv). */
  static final int RECEIVE_BUFFER = 64 * 1024;

  /** {@code int socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);} in this thread's namespace. */
  public static int openRoute() throws SysException {
    return (int) Libc.syscall("socket", "AF_NETLINK NETLINK_ROUTE", Sys.SOCKET, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
        NETLINK_ROUTE);
  }

  /**
   * A NETLINK_ROUTE socket in the network namespace {@code netnsFd} refers to. Done on a
   * platform thread of its own: {@code setns(netnsFd, CLONE_NEWNET)}, {@code socket}, then
   * {@code setns} back to the namespace the thread started in.
   */
  public static int openRouteIn(int netnsFd, String what) throws SysException {
    AtomicReference<Object> result = new AtomicReference<>();
    Thread t = Thread.ofPlatform().name("jrunc-netns").unstarted(() -> {
      try {
        int self = Libc.open("/proc/thread-self/ns/net", Open.O_RDONLY | Open.O_CLOEXEC, 0);
        try {
          Libc.syscall("setns", what, Sys.SETNS, netnsFd, CLONE_NEWNET);
          int fd;
          try {
            fd = openRoute();
          } finally {
            // int setns(int fd, int nstype); back home before the thread ends
            Libc.syscall("setns", "the runtime's network namespace", Sys.SETNS, self, CLONE_NEWNET);
          }
          result.set(fd);
        } finally {
          Libc.close(self);
        }
      } catch (SysException e) {
        result.set(e);
      }
    });
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SysException("open a netlink socket in", what, Errno.EINTR);
    }
    Object r = result.get();
    if (r instanceof SysException e) throw e;
    return (Integer) r;
  }

  /**
   * {@code ssize_t sendto(int fd, const void *buf, size_t len, int flags,
   * const struct sockaddr *dest_addr, socklen_t addrlen);} to the kernel
   * ({@code struct sockaddr_nl {sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups;}}, all 0 but the family).
   */
  public static void send(int fd, byte[] message, String what) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(message.length);
      NativeCopy.fromBytes(message, 0, buf, 0, message.length);
      MemorySegment kernel = a.allocate(12);
      Memory.setShort(kernel, 0, (short) AF_NETLINK);
      while (true) {
        long r = Libc.syscallRaw(Sys.SENDTO, fd, buf.address(), message.length, 0, kernel.address(), 12);
        if (r == -Errno.EINTR) continue;
        if (r < 0) throw new SysException("netlink send", what, (int) -r);
        return;
      }
    }
  }

  /** {@code ssize_t recvfrom(int fd, void *buf, size_t len, int flags, NULL, NULL);} one datagram. */
  public static byte[] receive(int fd, String what) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(RECEIVE_BUFFER);
      while (true) {
        long r = Libc.syscallRaw(Sys.RECVFROM, fd, buf.address(), RECEIVE_BUFFER, 0, 0, 0);
        if (r == -Errno.EINTR) continue;
        if (r < 0) throw new SysException("netlink receive", what, (int) -r);
        return buf.asSlice(0, r).toArray(ValueLayout.JAVA_BYTE);
      }
    }
  }
}
