package io.jrunc.core.sys;

import static io.jrunc.core.sys.Socket.AF_UNIX;
import static io.jrunc.core.sys.Socket.MSG_CMSG_CLOEXEC;
import static io.jrunc.core.sys.Socket.MSG_NOSIGNAL;
import static io.jrunc.core.sys.Socket.SOCK_CLOEXEC;
import static io.jrunc.core.sys.Socket.SOCK_STREAM;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * AF_UNIX sockets in the parent: connecting to a path, and passing one file descriptor with
 * SCM_RIGHTS (the seccomp listener fd to the agent at {@code linux.seccomp.listenerPath}, a
 * console or listener fd from the child over the sync socketpair). Messages are a
 * {@link MsgHdr} with one {@link Iovec} and a {@link CmsgHdr} control buffer.
 */
public final class UnixSockets {
  private UnixSockets() {}

  /** sizeof(sun_path). */
  static final int SUN_PATH = 108;

  /** A received message: the bytes and the fd that came with them (-1 if none). */
  public record Received(byte[] payload, int fd) {}

  // socket(2), socketpair(2), connect(2), bind(2), listen(2), accept4(2), sendmsg(2) and
  // recvmsg(2) are system calls through Libc.syscallRaw (-errno on failure): no downcall
  // handle, errno capture or arena of their own for an engine's console or pidfd socket

  /** {@code int socketpair(int domain, int type, int protocol, int sv[2]);}: a connected AF_UNIX stream pair, both ends CLOEXEC. */
  public static int[] socketpair() throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment sv = a.allocate(JAVA_INT, 2);
      long rc = Libc.syscallRaw(Sys.SOCKETPAIR, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv.address(), 0, 0);
      if (rc < 0) throw new SysException("socketpair", "AF_UNIX", (int) -rc);
      return new int[] {Memory.getInt(sv, 0), Memory.getInt(sv, 4)};
    }
  }

  /** {@code int socket(int domain, int type, int protocol);} a CLOEXEC AF_UNIX stream socket. */
  private static int streamSocket() throws SysException {
    int fd = (int) Libc.syscallRaw(Sys.SOCKET, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, 0, 0, 0);
    if (fd < 0) throw new SysException("socket", "AF_UNIX", -fd);
    return fd;
  }

  /**
   * {@code int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen);}: connects a
   * new CLOEXEC AF_UNIX stream socket to {@code path}; returns its fd.
   */
  public static int connect(String path) throws SysException {
    byte[] p = path.getBytes(StandardCharsets.UTF_8);
    if (p.length >= SUN_PATH) {
      throw new SysException("connect to unix socket", path + " (path longer than 107 bytes)", Errno.ENAMETOOLONG);
    }
    try (Arena a = Arena.ofConfined()) {
      int fd = streamSocket();
      MemorySegment addr = a.allocate(2 + SUN_PATH, 8);
      Memory.setShort(addr, 0, (short) AF_UNIX);
      NativeCopy.fromBytes(p, 0, addr, 2, p.length);
      long rc = Libc.syscallRaw(Sys.CONNECT, fd, addr.address(), 2 + p.length + 1, 0, 0, 0);
      if (rc < 0) {
        Libc.close(fd);
        throw new SysException("connect to unix socket", path, (int) -rc);
      }
      return fd;
    }
  }

  /**
   * {@code int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen);} then
   * {@code int listen(int sockfd, int backlog);}: a CLOEXEC AF_UNIX stream socket bound to
   * {@code path} and listening; returns its fd.
   */
  public static int listen(String path) throws SysException {
    byte[] p = path.getBytes(StandardCharsets.UTF_8);
    if (p.length >= SUN_PATH) {
      throw new SysException("bind unix socket", path + " (path longer than 107 bytes)", Errno.ENAMETOOLONG);
    }
    try (Arena a = Arena.ofConfined()) {
      int fd = streamSocket();
      MemorySegment addr = a.allocate(2 + SUN_PATH, 8);
      Memory.setShort(addr, 0, (short) AF_UNIX);
      NativeCopy.fromBytes(p, 0, addr, 2, p.length);
      long rc = Libc.syscallRaw(Sys.BIND, fd, addr.address(), 2 + p.length + 1, 0, 0, 0);
      if (rc == 0) rc = Libc.syscallRaw(Sys.LISTEN, fd, 16, 0, 0, 0, 0);
      if (rc < 0) {
        Libc.close(fd);
        throw new SysException("bind unix socket", path, (int) -rc);
      }
      return fd;
    }
  }

  /** {@code int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);}: one connection (CLOEXEC); blocks. */
  public static int accept(int listenFd) throws SysException {
    long fd;
    do {
      fd = Libc.waitingSyscallRaw(Sys.ACCEPT4, listenFd, 0, 0, SOCK_CLOEXEC, 0, 0);
    } while (fd == -Errno.EINTR);
    if (fd < 0) throw new SysException("accept", "on socket " + listenFd, (int) -fd);
    return (int) fd;
  }

  /**
   * {@code ssize_t sendmsg(int sockfd, const struct msghdr *msg, int flags);}: sends
   * {@code payload} with {@code fd} attached (SCM_RIGHTS on the first chunk). A stream socket
   * must carry at least one byte with ancillary data, so an empty payload sends one NUL byte.
   */
  public static void sendFd(int sock, int fd, byte[] payload) throws SysException {
    byte[] data = payload == null || payload.length == 0 ? new byte[1] : payload;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(data.length);
      NativeCopy.fromBytes(data, 0, buf, 0, data.length);
      MemorySegment iov = Iovec.LAYOUT.allocate(a);
      MemorySegment msg = MsgHdr.LAYOUT.allocate(a);
      MemorySegment cmsg = CmsgHdr.writeOneFd(a.allocate(CmsgHdr.SPACE_ONE_FD, 8), fd);
      long sent = 0;
      boolean first = true;
      while (sent < data.length) {
        Iovec.write(iov, buf.asSlice(sent), data.length - sent);
        if (first) {
          MsgHdr.write(msg, MemorySegment.NULL, 0, iov, 1, cmsg, cmsg.byteSize());
        } else {
          MsgHdr.write(msg, MemorySegment.NULL, 0, iov, 1, MemorySegment.NULL, 0);
        }
        long n = Libc.syscallRaw(Sys.SENDMSG, sock, msg.address(), MSG_NOSIGNAL, 0, 0, 0);
        if (n == -Errno.EINTR) continue;
        if (n < 0) throw new SysException("sendmsg", "fd " + fd + " over socket " + sock, (int) -n);
        sent += n;
        first = false;
      }
    }
  }

  /** Receives one message carrying an fd and returns the fd (CLOEXEC); fails if none came. */
  public static int recvFd(int sock) throws SysException {
    Received r = recv(sock, 4096);
    if (r.fd() < 0) {
      throw new SysException("recvmsg", "on socket " + sock + " (no file descriptor was passed)", Errno.EBADF);
    }
    return r.fd();
  }

  /**
   * One {@code recvmsg} of up to {@code max} bytes; the fd, if one came, is CLOEXEC. Returns
   * an empty payload and fd -1 at end of stream. Extra fds beyond the first are closed.
   */
  public static Received recv(int sock, int max) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(Math.max(1, max));
      MemorySegment iov = Iovec.write(Iovec.LAYOUT.allocate(a), buf, Math.max(1, max));
      // Room for several fds so a misbehaving peer's extra fds can be closed, not leaked.
      long ctlLen = CmsgHdr.LAYOUT.byteSize() + 8 * 4L;
      MemorySegment cmsg = a.allocate(ctlLen, 8);
      MemorySegment msg = MsgHdr.LAYOUT.allocate(a);
      long n;
      do {
        MsgHdr.write(msg, MemorySegment.NULL, 0, iov, 1, cmsg, ctlLen);
        n = Libc.waitingSyscallRaw(Sys.RECVMSG, sock, msg.address(), MSG_CMSG_CLOEXEC, 0, 0, 0);
      } while (n == -Errno.EINTR);
      if (n < 0) throw new SysException("recvmsg", "on socket " + sock, (int) -n);
      int fd = CmsgHdr.firstReceivedFd(cmsg, MsgHdr.controlLen(msg));
      byte[] out = buf.asSlice(0, n).toArray(JAVA_BYTE);
      return new Received(out, fd);
    }
  }
}
