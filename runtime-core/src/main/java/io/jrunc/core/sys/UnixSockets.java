package io.jrunc.core.sys;

import static io.jrunc.core.sys.Socket.AF_UNIX;
import static io.jrunc.core.sys.Socket.MSG_CMSG_CLOEXEC;
import static io.jrunc.core.sys.Socket.MSG_NOSIGNAL;
import static io.jrunc.core.sys.Socket.SOCK_CLOEXEC;
import static io.jrunc.core.sys.Socket.SOCK_STREAM;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
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

  /** {@code int socket(int domain, int type, int protocol);} */
  private static final class SocketH {
    static final MethodHandle H = Native.libc("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
  }

  /** {@code int socketpair(int domain, int type, int protocol, int sv[2]);} */
  private static final class SocketpairH {
    static final MethodHandle H = Native.libc("socketpair",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
  }

  /** {@code int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen);} */
  private static final class ConnectH {
    static final MethodHandle H = Native.libc("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  }

  /** {@code ssize_t sendmsg(int sockfd, const struct msghdr *msg, int flags);} */
  static final class SendmsgH {
    static final MethodHandle H = Native.libc("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
  }

  /** {@code ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags);} */
  static final class RecvmsgH {
    static final MethodHandle H = Native.libc("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
  }

  /** A connected AF_UNIX stream pair, both ends CLOEXEC. */
  public static int[] socketpair() throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment err = Native.errnoSegment(a);
      MemorySegment sv = a.allocate(JAVA_INT, 2);
      int rc = (int) SocketpairH.H.invokeExact(err, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
      if (rc < 0) throw new SysException("socketpair", "AF_UNIX", Native.errno(err));
      return new int[] {sv.getAtIndex(JAVA_INT, 0), sv.getAtIndex(JAVA_INT, 1)};
    } catch (SysException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** Connects a new CLOEXEC AF_UNIX stream socket to {@code path}; returns its fd. */
  public static int connect(String path) throws SysException {
    byte[] p = path.getBytes(StandardCharsets.UTF_8);
    if (p.length >= SUN_PATH) {
      throw new SysException("connect to unix socket", path + " (path longer than 107 bytes)", Errno.ENAMETOOLONG);
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment err = Native.errnoSegment(a);
      int fd = (int) SocketH.H.invokeExact(err, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) throw new SysException("socket", "AF_UNIX", Native.errno(err));
      MemorySegment addr = a.allocate(2 + SUN_PATH, 8);
      addr.set(JAVA_SHORT, 0, (short) AF_UNIX);
      MemorySegment.copy(p, 0, addr, JAVA_BYTE, 2, p.length);
      int rc = (int) ConnectH.H.invokeExact(err, fd, addr, 2 + p.length + 1);
      if (rc < 0) {
        int e = Native.errno(err);
        Libc.close(fd);
        throw new SysException("connect to unix socket", path, e);
      }
      return fd;
    } catch (SysException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen);} */
  private static final class BindH {
    static final MethodHandle H = Native.libc("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  }

  /** {@code int listen(int sockfd, int backlog);} */
  private static final class ListenH {
    static final MethodHandle H = Native.libc("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  }

  /** {@code int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);} */
  private static final class Accept4H {
    static final MethodHandle H = Native.libc("accept4",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
  }

  /** A CLOEXEC AF_UNIX stream socket bound to {@code path} and listening; returns its fd. */
  public static int listen(String path) throws SysException {
    byte[] p = path.getBytes(StandardCharsets.UTF_8);
    if (p.length >= SUN_PATH) {
      throw new SysException("bind unix socket", path + " (path longer than 107 bytes)", Errno.ENAMETOOLONG);
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment err = Native.errnoSegment(a);
      int fd = (int) SocketH.H.invokeExact(err, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) throw new SysException("socket", "AF_UNIX", Native.errno(err));
      MemorySegment addr = a.allocate(2 + SUN_PATH, 8);
      addr.set(JAVA_SHORT, 0, (short) AF_UNIX);
      MemorySegment.copy(p, 0, addr, JAVA_BYTE, 2, p.length);
      int rc = (int) BindH.H.invokeExact(err, fd, addr, 2 + p.length + 1);
      if (rc == 0) rc = (int) ListenH.H.invokeExact(err, fd, 16);
      if (rc < 0) {
        int e = Native.errno(err);
        Libc.close(fd);
        throw new SysException("bind unix socket", path, e);
      }
      return fd;
    } catch (SysException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** Accepts one connection (CLOEXEC); blocks. */
  public static int accept(int listenFd) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment err = Native.errnoSegment(a);
      int fd;
      do {
        fd = (int) Accept4H.H.invokeExact(err, listenFd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
      } while (fd < 0 && Native.errno(err) == Errno.EINTR);
      if (fd < 0) throw new SysException("accept", "on socket " + listenFd, Native.errno(err));
      return fd;
    } catch (SysException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * Sends {@code payload} with {@code fd} attached (SCM_RIGHTS on the first chunk). A stream
   * socket must carry at least one byte with ancillary data, so an empty payload sends one
   * NUL byte.
   */
  public static void sendFd(int sock, int fd, byte[] payload) throws SysException {
    byte[] data = payload == null || payload.length == 0 ? new byte[1] : payload;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment err = Native.errnoSegment(a);
      MemorySegment buf = a.allocate(data.length);
      MemorySegment.copy(data, 0, buf, JAVA_BYTE, 0, data.length);
      MemorySegment iov = a.allocate(Iovec.LAYOUT);
      MemorySegment msg = a.allocate(MsgHdr.LAYOUT);
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
        long n = (long) SendmsgH.H.invokeExact(err, sock, msg, MSG_NOSIGNAL);
        if (n < 0) {
          int e = Native.errno(err);
          if (e == Errno.EINTR) continue;
          throw new SysException("sendmsg", "fd " + fd + " over socket " + sock, e);
        }
        sent += n;
        first = false;
      }
    } catch (SysException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
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
      MemorySegment err = Native.errnoSegment(a);
      MemorySegment buf = a.allocate(Math.max(1, max));
      MemorySegment iov = Iovec.write(a.allocate(Iovec.LAYOUT), buf, Math.max(1, max));
      // Room for several fds so a misbehaving peer's extra fds can be closed, not leaked.
      long ctlLen = CmsgHdr.LAYOUT.byteSize() + 8 * 4L;
      MemorySegment cmsg = a.allocate(ctlLen, 8);
      MemorySegment msg = a.allocate(MsgHdr.LAYOUT);
      long n;
      do {
        MsgHdr.write(msg, MemorySegment.NULL, 0, iov, 1, cmsg, ctlLen);
        n = (long) RecvmsgH.H.invokeExact(err, sock, msg, MSG_CMSG_CLOEXEC);
      } while (n < 0 && Native.errno(err) == Errno.EINTR);
      if (n < 0) throw new SysException("recvmsg", "on socket " + sock, Native.errno(err));
      int fd = CmsgHdr.firstReceivedFd(cmsg, MsgHdr.controlLen(msg));
      byte[] out = buf.asSlice(0, n).toArray(JAVA_BYTE);
      return new Received(out, fd);
    } catch (SysException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }
}
