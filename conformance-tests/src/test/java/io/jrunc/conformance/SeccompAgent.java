package io.jrunc.conformance;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.sys.SysException;
import io.jrunc.core.sys.UnixSockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * A seccomp agent for tests (runtime-spec's {@code listenerPath} protocol): accepts each
 * connection at its socket, keeps the ContainerProcessState JSON, and serves the listener fd
 * that came with it. It answers mkdir/mkdirat with EDQUOT (so a test sees the agent's answer,
 * not ENOSYS) and lets every other notified call go on (SECCOMP_USER_NOTIF_FLAG_CONTINUE);
 * {@link #seen} records the pid and syscall number of each notification.
 */
final class SeccompAgent implements AutoCloseable {
  /** One notification: the caller's pid (in our pid namespace) and the syscall number. */
  record Seen(int pid, int nr) {}

  static final int NR_READ = 0, NR_CLOSE = 3, NR_MKDIR = 83, NR_MKDIRAT = 258;
  private static final int EDQUOT = 122, POLLIN = 1, POLLHUP = 0x10;
  private static final long NOTIF_RECV = 0xC0502100L, NOTIF_SEND = 0xC0182101L;

  final List<String> states = Collections.synchronizedList(new ArrayList<>());
  final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
  private final int server;
  private volatile boolean closed, accepting = true;
  private Thread acceptor;
  private final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());

  private SeccompAgent(int server) {
    this.server = server;
  }

  static SeccompAgent listen(Path socket) throws SysException {
    SeccompAgent a = new SeccompAgent(UnixSockets.listen(socket.toString()));
    a.acceptor = a.start(a::acceptLoop);
    return a;
  }

  private Thread start(Runnable r) {
    Thread t = Thread.ofPlatform().daemon().start(r);
    threads.add(t);
    return t;
  }

  /** Whether some notification of {@code pid} was for one of {@code nrs}. */
  boolean saw(int pid, Set<Integer> nrs) {
    synchronized (seen) {
      return seen.stream().anyMatch(s -> s.pid() == pid && nrs.contains(s.nr()));
    }
  }

  private void acceptLoop() {
    try {
      acceptWhileAsked();
    } finally {
      Libc.close(server); // closed by this thread only: no other fd can take its number meanwhile
    }
  }

  private void acceptWhileAsked() {
    while (!closed && accepting) {
      if (!readable(server, 100)) continue;
      try {
        int conn = UnixSockets.accept(server);
        UnixSockets.Received r = UnixSockets.recv(conn, 65536);
        Libc.close(conn);
        states.add(new String(r.payload(), StandardCharsets.UTF_8));
        if (r.fd() >= 0) start(() -> serve(r.fd()));
      } catch (SysException e) {
        if (!closed) states.add("agent error: " + e.getMessage());
      }
    }
  }

  private void serve(int listener) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment notif = a.allocate(80, 8); // struct seccomp_notif
      MemorySegment resp = a.allocate(24, 8); // struct seccomp_notif_resp
      while (!closed) {
        int ev = events(listener, 100);
        if ((ev & POLLIN) == 0) {
          if ((ev & POLLHUP) != 0) return; // no process uses the filter any more
          continue;
        }
        notif.fill((byte) 0); // the kernel wants it zeroed
        if (Libc.syscallRaw(Sys.IOCTL, listener, NOTIF_RECV, notif.address(), 0, 0, 0) < 0) continue; // caller gone
        int pid = notif.get(JAVA_INT, 8), nr = notif.get(JAVA_INT, 16);
        seen.add(new Seen(pid, nr));
        resp.fill((byte) 0);
        resp.set(JAVA_LONG, 0, notif.get(JAVA_LONG, 0));
        if (nr == NR_MKDIR || nr == NR_MKDIRAT) resp.set(JAVA_INT, 16, -EDQUOT);
        else resp.set(JAVA_INT, 20, 1); // SECCOMP_USER_NOTIF_FLAG_CONTINUE
        Libc.syscallRaw(Sys.IOCTL, listener, NOTIF_SEND, resp.address(), 0, 0, 0);
      }
    } finally {
      Libc.close(listener);
    }
  }

  private static boolean readable(int fd, int timeoutMs) {
    return (events(fd, timeoutMs) & POLLIN) != 0;
  }

  /** poll(2) on one fd: its revents, 0 on timeout. */
  private static int events(int fd, int timeoutMs) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment pfd = a.allocate(8, 8); // struct pollfd {int fd; short events; short revents;}
      pfd.set(JAVA_INT, 0, fd);
      pfd.set(JAVA_SHORT, 4, (short) POLLIN);
      long n = Libc.syscallRaw(Sys.POLL, pfd.address(), 1, timeoutMs, 0, 0, 0);
      return n > 0 ? pfd.get(JAVA_SHORT, 6) : 0;
    }
  }

  /**
   * Stops accepting; the socket file stays, so a later connect is refused (ECONNREFUSED).
   * Listener fds already taken are still served until {@link #close}.
   */
  void stopAccepting() throws InterruptedException {
    accepting = false;
    acceptor.join(2000);
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    accepting = false;
    for (Thread t : List.copyOf(threads)) t.join(2000);
  }
}
