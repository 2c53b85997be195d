package io.jrunc.core.sys;

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
 * AF_UNIX datagram sockets (sd_notify's transport). The JDK's {@code UnixDomainSocketAddress}
 * works only with stream channels, so these go through FFM.
 *
 * <p>Addresses: a path, or {@code @name} for the abstract namespace (sd_notify(3): a leading
 * {@code @} in {@code NOTIFY_SOCKET} means a NUL byte). {@code struct sockaddr_un} is
 * {@code {sa_family_t sun_family (2 bytes); char sun_path[108];}}; msghdr/cmsg layouts are in
 * {@link UnixSockets}.
 */
public final class UnixDatagram {
  private UnixDatagram() {}

  static final int AF_UNIX = 1, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000, MSG_NOSIGNAL = 0x4000,
      MSG_CMSG_CLOEXEC = 0x40000000, MSG_DONTWAIT = 0x40;

  /** {@code int socket(int domain, int type, int protocol);} */
  private static final class SocketH {
    static final MethodHandle H = Native.libc("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
  }

  /** {@code int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen);} */
  private static final class BindH {
    static final MethodHandle H = Native.libc("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  }

  // sendmsg(2) and recvmsg(2) are linked once, in UnixSockets

  /** A new unbound CLOEXEC datagram socket. */
  public static int open() throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment err = Native.errnoSegment(a);
      int fd = (int) SocketH.H.invokeExact(err, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (fd < 0) throw new SysException("socket", "AF_UNIX datagram", Native.errno(err));
      return fd;
    } catch (SysException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** A CLOEXEC datagram socket bound to {@code address}. */
  public static int bind(String address) throws SysException {
    int fd = open();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment err = Native.errnoSegment(a);
      MemorySegment addr = a.allocate(2 + UnixSockets.SUN_PATH, 8);
      int len = sockaddr(addr, address, "bind unix datagram socket");
      int rc = (int) BindH.H.invokeExact(err, fd, addr, len);
      if (rc < 0) throw new SysException("bind unix datagram socket", address, Native.errno(err));
      return fd;
    } catch (SysException e) {
      Libc.close(fd);
      throw e;
    } catch (Throwable t) {
      Libc.close(fd);
      throw Native.rethrow(t);
    }
  }

  /**
   * Sends one datagram to {@code address}, with {@code passFd} attached (SCM_RIGHTS) if it is
   * &ge; 0.
   */
  public static void send(int sock, String address, byte[] payload, int passFd) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment err = Native.errnoSegment(a);
      MemorySegment addr = a.allocate(2 + UnixSockets.SUN_PATH, 8);
      int alen = sockaddr(addr, address, "send to unix datagram socket");
      MemorySegment buf = a.allocate(Math.max(1, payload.length));
      MemorySegment.copy(payload, 0, buf, JAVA_BYTE, 0, payload.length);
      MemorySegment iov = a.allocate(16, 8);
      iov.set(ADDRESS, 0, buf);
      iov.set(JAVA_LONG, 8, payload.length);
      MemorySegment msg = a.allocate(UnixSockets.MSGHDR_SIZE, 8);
      msg.set(ADDRESS, 0, addr);
      msg.set(JAVA_INT, 8, alen);
      msg.set(ADDRESS, 16, iov);
      msg.set(JAVA_LONG, 24, 1);
      if (passFd >= 0) {
        MemorySegment cmsg = a.allocate(UnixSockets.CMSG_SPACE_INT, 8);
        cmsg.set(JAVA_LONG, 0, UnixSockets.CMSG_LEN_INT);
        cmsg.set(JAVA_INT, 8, UnixSockets.SOL_SOCKET);
        cmsg.set(JAVA_INT, 12, UnixSockets.SCM_RIGHTS);
        cmsg.set(JAVA_INT, 16, passFd);
        msg.set(ADDRESS, 32, cmsg);
        msg.set(JAVA_LONG, 40, UnixSockets.CMSG_SPACE_INT);
      }
      long n;
      do {
        n = (long) UnixSockets.SendmsgH.H.invokeExact(err, sock, msg, MSG_NOSIGNAL);
      } while (n < 0 && Native.errno(err) == Errno.EINTR);
      if (n < 0) throw new SysException("send to unix datagram socket", address, Native.errno(err));
    } catch (SysException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
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
      MemorySegment err = Native.errnoSegment(a);
      MemorySegment buf = a.allocate(Math.max(1, max));
      MemorySegment iov = a.allocate(16, 8);
      iov.set(ADDRESS, 0, buf);
      iov.set(JAVA_LONG, 8, Math.max(1, max));
      long ctlLen = 16 + 4 * 16L;
      MemorySegment cmsg = a.allocate(ctlLen, 8);
      MemorySegment msg = a.allocate(UnixSockets.MSGHDR_SIZE, 8);
      long n;
      do {
        msg.fill((byte) 0);
        msg.set(ADDRESS, 16, iov);
        msg.set(JAVA_LONG, 24, 1);
        msg.set(ADDRESS, 32, cmsg);
        msg.set(JAVA_LONG, 40, ctlLen);
        n = (long) UnixSockets.RecvmsgH.H.invokeExact(err, sock, msg, MSG_CMSG_CLOEXEC);
      } while (n < 0 && Native.errno(err) == Errno.EINTR);
      if (n < 0) throw new SysException("recvmsg", "on unix datagram socket " + sock, Native.errno(err));
      int fd = -1;
      long controllen = msg.get(JAVA_LONG, 40);
      if (controllen >= UnixSockets.CMSG_LEN_INT && cmsg.get(JAVA_INT, 8) == UnixSockets.SOL_SOCKET
          && cmsg.get(JAVA_INT, 12) == UnixSockets.SCM_RIGHTS) {
        int count = (int) ((Math.min(cmsg.get(JAVA_LONG, 0), controllen) - 16) / 4);
        for (int i = 0; i < count; i++) {
          int f = cmsg.get(JAVA_INT, 16 + 4L * i);
          if (i == 0) fd = f; else Libc.close(f);
        }
      }
      return new Datagram(buf.asSlice(0, n).toArray(JAVA_BYTE), fd);
    } catch (SysException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
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
    addr.set(JAVA_SHORT, 0, (short) AF_UNIX);
    if (abstractNs) {
      MemorySegment.copy(p, 0, addr, JAVA_BYTE, 3, p.length);
      return 2 + 1 + p.length;
    }
    MemorySegment.copy(p, 0, addr, JAVA_BYTE, 2, p.length);
    return 2 + p.length + 1;
  }
}
