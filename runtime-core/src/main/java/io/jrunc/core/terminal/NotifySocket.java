package io.jrunc.core.terminal;

import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.SysException;
import io.jrunc.core.sys.Termios;
import io.jrunc.core.sys.UnixDatagram;
import io.jrunc.spec.Mount;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * sd_notify passthrough ({@code NOTIFY_SOCKET}), as runc's {@code notify_socket.go} does it: a
 * service manager that started the runtime with {@code NOTIFY_SOCKET} hears READY=1 from the
 * container's process, and learns the container's init as MAINPID.
 *
 * <table>
 *   <caption>When runc does what (and so do we)</caption>
 *   <tr><th>command</th><th>steps</th></tr>
 *   <tr><td>create, run</td><td>{@link #prepare}: mkdir {@code <state>/notify} (0755), add a
 *       bind mount of it at {@code /run/notify} ({@code bind,nosuid,noexec,nodev,ro}) and
 *       {@code NOTIFY_SOCKET=/run/notify/notify.sock} to {@code process.env}. create does not
 *       wait for anything</td></tr>
 *   <tr><td>start</td><td>{@link #bind} (the socket {@code notify.sock}, mode 0777) before
 *       releasing init; after release, {@link #forwardUntilReady}: blocks until the container
 *       sends a datagram starting with {@code READY=} or init exits, then sends the host
 *       {@code READY=...}, {@code MAINPID=<init's host pid>} and {@code BARRIER=1} (with a
 *       pipe's write end; waits up to 30 s for it to be closed, sd_notify_barrier(3))</td></tr>
 *   <tr><td>run</td><td>{@link #bind} before the container starts; then as start (with
 *       {@code --detach}), or in the foreground before waiting for the process</td></tr>
 * </table>
 *
 * <p>Only the READY line is forwarded (STATUS=, WATCHDOG= and others are dropped, as in runc);
 * fds a container passes with its messages are closed at once.
 */
public final class NotifySocket implements AutoCloseable {
  /** The directory the socket's directory is mounted at inside the container. */
  public static final String IN_CONTAINER_DIR = "/run/notify";
  public static final String SOCKET_NAME = "notify.sock";
  /**
   * sd_notify_barrier(3)'s wait, in ms: an int, not a Duration constant, since start loads this
   * class on every call and Duration's initialisation brings BigInteger's.
   */
  static final int BARRIER_TIMEOUT_MS = 30_000;

  private final Path socketPath;
  private final String host;
  private int fd;

  private NotifySocket(Path socketPath, String host, int fd) {
    this.socketPath = socketPath;
    this.host = host;
    this.fd = fd;
  }

  /** The host's socket from the runtime's environment, or null when there is none. */
  public static String hostSocket(Map<String, String> env) {
    String s = env.get("NOTIFY_SOCKET");
    return s == null || s.isEmpty() ? null : s;
  }

  /** What create adds to the spec. */
  public record Prepared(Mount mount, String envEntry, Path socketPath) {}

  /** The socket's directory and file in a container's state directory. */
  public static Path socketPath(Path stateDir) {
    return stateDir.resolve("notify").resolve(SOCKET_NAME);
  }

  /**
   * create/run: makes {@code <stateDir>/notify} and returns the mount and env entry to append
   * to the spec ({@code mounts} and {@code process.env}).
   */
  public static Prepared prepare(Path stateDir) throws IOException {
    Path dir = stateDir.resolve("notify");
    mkdir(dir);
    return describe(stateDir);
  }

  /**
   * The mount and env entry {@link #prepare} returns, without making anything: create plans
   * with this before the state directory exists, and makes the directory once it does.
   */
  public static Prepared describe(Path stateDir) {
    Path dir = stateDir.resolve("notify");
    String inContainer = IN_CONTAINER_DIR + "/" + SOCKET_NAME;
    Mount m = new Mount(IN_CONTAINER_DIR, "bind", dir.toString(), List.of("bind", "nosuid", "noexec", "nodev", "ro"),
        null, null);
    return new Prepared(m, "NOTIFY_SOCKET=" + inContainer, dir.resolve(SOCKET_NAME));
  }

  private static void mkdir(Path dir) throws IOException {
    try {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    } catch (FileAlreadyExistsException e) {
      // a re-run create after a failed one: the directory is ours already
    }
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // umask may have cut it
  }

  /**
   * start/run: binds the container-side socket (mode 0777, so a non-root container user can
   * send) before the container is released. {@code host} is the host's NOTIFY_SOCKET.
   */
  public static NotifySocket bind(Path stateDir, String host) throws IOException {
    Path p = socketPath(stateDir);
    Files.deleteIfExists(p); // a stale socket from an earlier start attempt
    int fd;
    if (p.toString().getBytes(StandardCharsets.UTF_8).length < 108) {
      fd = UnixDatagram.bind(p.toString());
    } else {
      // sun_path holds 107 bytes; containerd's state paths with 64-hex ids exceed it. Bind
      // through the directory's fd instead: the kernel resolves /proc/self/fd/N as a path.
      int dir = Libc.open(p.getParent().toString(), Open.O_PATH | Open.O_DIRECTORY | Open.O_CLOEXEC, 0);
      try {
        fd = UnixDatagram.bind("/proc/self/fd/" + dir + "/" + SOCKET_NAME);
      } finally {
        Libc.close(dir);
      }
    }
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
    } catch (IOException e) {
      Libc.close(fd);
      throw e;
    }
    return new NotifySocket(p, host, fd);
  }

  /** The bound socket's path on the host. */
  public Path socketPath() {
    return socketPath;
  }

  /**
   * Waits for the container's READY and forwards it. Returns true once the host has been told;
   * false if {@code alive} turned false first (checked every 100 ms, like runc's poll of
   * /proc/pid) or {@code timeout} passed (null: no limit, as runc).
   */
  public boolean forwardUntilReady(long mainPid, BooleanSupplier alive, Duration timeout) throws SysException {
    long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    while (true) {
      if (System.nanoTime() > deadline) return false;
      int ev = Termios.pollIn(fd, 100);
      if (ev == 0) {
        if (!alive.getAsBoolean()) return false;
        continue;
      }
      UnixDatagram.Datagram d = UnixDatagram.recv(fd, 4096);
      if (d.fd() >= 0) Libc.close(d.fd());
      String ready = readyLine(d.payload());
      if (ready == null) continue;
      notifyHost(ready, mainPid);
      return true;
    }
  }

  /** {@link #forwardUntilReady} with runc's liveness check: {@code /proc/<pid>} exists. */
  public boolean forwardUntilReady(long mainPid, Duration timeout) throws SysException {
    Path proc = Path.of("/proc", Long.toString(mainPid));
    return forwardUntilReady(mainPid, () -> Files.exists(proc), timeout);
  }

  /** The first line of the datagram if it starts with {@code READY=} (as runc checks it). */
  static String readyLine(byte[] payload) {
    String s = new String(payload, StandardCharsets.UTF_8);
    if (!s.startsWith("READY=")) return null;
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private void notifyHost(String ready, long mainPid) throws SysException {
    int client = UnixDatagram.open();
    try {
      UnixDatagram.send(client, host, (ready + "\n").getBytes(StandardCharsets.UTF_8), -1);
      UnixDatagram.send(client, host, ("MAINPID=" + mainPid + "\n").getBytes(StandardCharsets.UTF_8), -1);
      barrier(client);
    } finally {
      Libc.close(client);
    }
  }

  /**
   * sd_notify_barrier(3): send BARRIER=1 with a pipe's write end and wait until the manager
   * closes it, so it has processed what came before. A manager that does not know the protocol
   * never closes it: after 30 s we go on (runc logs a warning and goes on too).
   */
  private void barrier(int client) throws SysException {
    int[] p = Libc.pipe2(Open.O_CLOEXEC);
    try {
      UnixDatagram.send(client, host, "BARRIER=1".getBytes(StandardCharsets.US_ASCII), p[1]);
      Libc.close(p[1]);
      p[1] = -1;
      if (Termios.pollIn(p[0], BARRIER_TIMEOUT_MS) == 0) return;
      byte[] one = new byte[1];
      int n = Libc.read(p[0], one, 1);
      if (n != 0) throw new SysException("wait for the service manager's barrier", host + " (it wrote data instead of closing)", 71 /* EPROTO */);
    } finally {
      Libc.close(p[0]);
      if (p[1] >= 0) Libc.close(p[1]);
    }
  }

  /** Closes the socket and removes its file. */
  @Override
  public void close() {
    if (fd >= 0) Libc.close(fd);
    fd = -1;
    try {
      Files.deleteIfExists(socketPath);
    } catch (IOException ignored) {
      // the state directory is removed with the container anyway
    }
  }
}
