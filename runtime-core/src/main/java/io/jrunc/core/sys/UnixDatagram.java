package io.jrunc.core.sys;

import static io.jrunc.core.sys.Socket.AF_UNIX;
import static io.jrunc.core.sys.Socket.MSG_CMSG_CLOEXEC;
import static io.jrunc.core.sys.Socket.MSG_NOSIGNAL;
import static io.jrunc.core.sys.Socket.SOCK_CLOEXEC;
import static io.jrunc.core.sys.Socket.SOCK_DGRAM;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * AF_UNIX datagram sockets (sd_notify's transport). The JDK's {@code UnixDomainSocketAddress}
 * works only with stream channels, so these go through FFM.
 *
 * <p>Addresses: a path, or {@code @name} for the abstract namespace (sd_notify(3): a leading
 * {@code @} in {@code NOTIFY_SOCKET} means a NUL byte). {@code struct sockaddr_un} is
 * {@code {sa_family_t sun_family (2 bytes); char sun_path[108];}}; messages are a {@link MsgHdr}
 * with one {@link Iovec} and a {@link CmsgHdr} control buffer.
 */
public final class UnixDatagram {
  private UnixDatagram() {}

  // socket(2), bind(2), sendmsg(2) and recvmsg(2) are system calls through Libc.syscallRaw
  // (-errno on failure): no downcall handle, errno capture or arena of their own

  /** {@code int socket(int domain, int type, int protocol);}: a new unbound CLOEXEC datagram socket. */
  public static int open() throws SysException {
    int fd = (int) Libc.syscallRaw(Sys.SOCKET, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, 0, 0, 0);
    if (fd < 0) throw new SysException("socket", "AF_UNIX datagram", -fd);
    return fd;
  }

  /** A CLOEXEC datagram socket bound to {@code address}. */
  public static int bind(String address) throws SysException {
    int fd = open();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment addr = a.allocate(2 + UnixSockets.SUN_PATH, 8);
      int len = sockaddr(addr, address, "bind unix datagram socket");
      long rc = Libc.syscallRaw(Sys.BIND, fd, addr.address(), len, 0, 0, 0);
      if (rc < 0) throw new SysException("bind unix datagram socket", address, (int) -rc);
      return fd;
    } catch (SysException | RuntimeException | Error e) {
      Libc.close(fd);
      throw e;
    }
  }

  /**
   * Sends one datagram to {@code address}, with {@code passFd} attached (SCM_RIGHTS) if it is
   * &ge; 0.
   */
  public static void send(int sock, String address, byte[] payload, int passFd) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment addr = a.allocate(2 + UnixSockets.SUN_PATH, 8);
      int alen = sockaddr(addr, address, "send to unix datagram socket");
      MemorySegment buf = a.allocate(Math.max(1, payload.length));
      NativeCopy.fromBytes(payload, 0, buf, 0, payload.length);
      MemorySegment iov = Iovec.write(Iovec.LAYOUT.allocate(a), buf, payload.length);
      MemorySegment cmsg = passFd >= 0 ? CmsgHdr.writeOneFd(a.allocate(CmsgHdr.SPACE_ONE_FD, 8), passFd)
          : MemorySegment.NULL;
      MemorySegment msg = MsgHdr.write(MsgHdr.LAYOUT.allocate(a), addr, alen, iov, 1, cmsg, cmsg.byteSize());
      long n;
      do {
        n = Libc.syscallRaw(Sys.SENDMSG, sock, msg.address(), MSG_NOSIGNAL, 0, 0, 0);
      } while (n == -Errno.EINTR);
      if (n < 0) throw new SysException("send to unix datagram socket", address, (int) -n);
    }
  }

  /** A received datagram and the first fd that came with it (-1: none; extra fds are closed). */
  public record Datagram(byte[] payload, int fd) {}

  /**
   * Receives one datagram of up to {@code max} bytes (blocks; poll first for a timeout). Fds
   * that came with it arrive CLOEXEC; all but the first are closed at once.
   */
  public static Datagram recv(int sock, int max) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(Math.max(1, max));
      MemorySegment iov = Iovec.write(Iovec.LAYOUT.allocate(a), buf, Math.max(1, max));
      long ctlLen = CmsgHdr.LAYOUT.byteSize() + 4 * 16L;
      MemorySegment cmsg = a.allocate(ctlLen, 8);
      MemorySegment msg = MsgHdr.LAYOUT.allocate(a);
      long n;
      do {
        MsgHdr.write(msg, MemorySegment.NULL, 0, iov, 1, cmsg, ctlLen);
        n = Libc.waitingSyscallRaw(Sys.RECVMSG, sock, msg.address(), MSG_CMSG_CLOEXEC, 0, 0, 0);
      } while (n == -Errno.EINTR);
      if (n < 0) throw new SysException("recvmsg", "on unix datagram socket " + sock, (int) -n);
      int fd = CmsgHdr.firstReceivedFd(cmsg, MsgHdr.controlLen(msg));
      return new Datagram(buf.asSlice(0, n).toArray(JAVA_BYTE), fd);
    }
  }

  /** Fills a sockaddr_un; returns its length. {@code @name} is abstract (no trailing NUL). */
  private static int sockaddr(MemorySegment addr, String address, String op) throws SysException {
    boolean abstractNs = address.startsWith("@");
    byte[] p = (abstractNs ? address.substring(1) : address).getBytes(StandardCharsets.UTF_8);
    int room = UnixSockets.SUN_PATH - 1; // abstract: one byte for the leading NUL; path: one for the trailing
    if (p.length == 0 || p.length > room) {
      throw new SysException(op, address + (p.length == 0 ? " (empty address)" : " (longer than 107 bytes)"),
          Errno.ENAMETOOLONG);
    }
    addr.fill((byte) 0);
    Memory.setShort(addr, 0, (short) AF_UNIX);
    if (abstractNs) {
      NativeCopy.fromBytes(p, 0, addr, 3, p.length);
      return 2 + 1 + p.length;
    }
    NativeCopy.fromBytes(p, 0, addr, 2, p.length);
    return 2 + p.length + 1;
  }
}
