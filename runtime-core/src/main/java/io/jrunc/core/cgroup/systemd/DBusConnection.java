package io.jrunc.core.cgroup.systemd;

import io.jrunc.core.cgroup.CgroupException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * A minimal D-Bus client over a Unix socket: SASL {@code AUTH EXTERNAL} with the hex-encoded
 * uid, then blocking method calls matched to their replies by serial (signals and other
 * messages that arrive meanwhile are skipped).
 *
 * <table>
 * <caption>Sockets, in the order tried</caption>
 * <tr><th>socket</th><th>peer</th><th>Hello needed</th></tr>
 * <tr><td>/run/systemd/private</td><td>systemd itself (root only)</td><td>no</td></tr>
 * <tr><td>/run/dbus/system_bus_socket</td><td>the system bus daemon</td><td>yes</td></tr>
 * </table>
 */
public final class DBusConnection implements AutoCloseable {
  private final SocketChannel ch;
  private final boolean bus;
  private long serial = 1;
  private final String socket;

  private DBusConnection(SocketChannel ch, boolean bus, String socket) {
    this.ch = ch;
    this.bus = bus;
    this.socket = socket;
  }

  /** Connects to systemd: its private socket when we may, else the system (or user) bus. */
  public static DBusConnection systemd(boolean user) throws CgroupException {
    if (user) {
      String xdg = System.getenv("XDG_RUNTIME_DIR");
      Path p = Path.of(xdg != null ? xdg : "/run/user/" + io.jrunc.core.sys.Libc.geteuid(), "bus");
      return open(p, true);
    }
    Path priv = Path.of("/run/systemd/private");
    if (Files.exists(priv)) {
      try {
        return open(priv, false);
      } catch (CgroupException e) {
        // fall back to the bus daemon
      }
    }
    return open(Path.of("/run/dbus/system_bus_socket"), true);
  }

  public static DBusConnection open(Path socket, boolean busDaemon) throws CgroupException {
    SocketChannel ch = null;
    try {
      ch = SocketChannel.open(StandardProtocolFamily.UNIX);
      ch.connect(UnixDomainSocketAddress.of(socket));
      DBusConnection c = new DBusConnection(ch, busDaemon, socket.toString());
      Thread dog = c.watchdog();
      try {
        c.auth();
      } finally {
        dog.interrupt();
      }
      if (busDaemon) c.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", "", new byte[0]);
      return c;
    } catch (IOException e) {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // closing a socket that failed
        }
      }
      throw new CgroupException("connect to systemd over D-Bus at " + socket + ": " + e.getMessage(), e);
    }
  }

  private void auth() throws IOException {
    String uid = Integer.toUnsignedString(io.jrunc.core.sys.Libc.geteuid());
    String hex = HexFormat.of().formatHex(uid.getBytes(StandardCharsets.US_ASCII));
    writeAll(("\0AUTH EXTERNAL " + hex + "\r\n").getBytes(StandardCharsets.US_ASCII));
    String line = readLine();
    if (!line.startsWith("OK ")) throw new IOException("D-Bus authentication rejected: " + line);
    writeAll("BEGIN\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  private String readLine() throws IOException {
    StringBuilder sb = new StringBuilder();
    ByteBuffer one = ByteBuffer.allocate(1);
    while (true) {
      one.clear();
      if (ch.read(one) < 0) throw new IOException("D-Bus peer closed the connection during authentication");
      char c = (char) one.get(0);
      if (c == '\n') return sb.toString().strip();
      sb.append(c);
      if (sb.length() > 4096) throw new IOException("D-Bus authentication line too long");
    }
  }

  private void writeAll(byte[] b) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(b);
    while (buf.hasRemaining()) ch.write(buf);
  }

  private byte[] readFully(int n) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(n);
    while (buf.hasRemaining()) {
      if (ch.read(buf) < 0) throw new IOException("D-Bus peer closed the connection");
    }
    return buf.array();
  }

  /** Error reply of a call: the D-Bus error name and its message. */
  public static final class DBusError extends CgroupException {
    public final String name;

    DBusError(String name, String text) {
      super(name + ": " + text);
      this.name = name;
    }
  }

  /** Calls a method and returns the reply's first string/path argument (or null). */
  public String call(String dest, String path, String iface, String member, String sig, byte[] body) throws CgroupException {
    long s = serial++;
    Thread dog = watchdog();
    try {
      writeAll(DBusMessage.methodCall(s, bus ? dest : null, path, iface, member, sig, body));
      while (true) {
        byte[] head = readFully(16);
        int total = DBusMessage.totalLength(head);
        byte[] rest = readFully(total - 16);
        byte[] all = new byte[total];
        System.arraycopy(head, 0, all, 0, 16);
        System.arraycopy(rest, 0, all, 16, rest.length);
        DBusMessage m = DBusMessage.parse(all);
        if (m.replySerial != s) continue;
        if (m.type == DBusMessage.ERROR) throw new DBusError(m.errorName, String.valueOf(m.firstString()));
        return m.firstString();
      }
    } catch (IOException e) {
      if (e instanceof CgroupException ce) throw ce;
      String why = e instanceof java.nio.channels.AsynchronousCloseException ? "no reply within " + TIMEOUT_MS / 1000 + " s" : e.getMessage();
      throw new CgroupException("D-Bus call " + iface + "." + member + " on " + socket + ": " + why, e);
    } finally {
      dog.interrupt();
    }
  }

  /** How long one call (or the authentication) may take before the socket is closed under it. */
  static final long TIMEOUT_MS = 30_000;

  /** Closes the socket if not interrupted within {@link #TIMEOUT_MS}: a blocking channel read has no timeout of its own. */
  private Thread watchdog() {
    return Thread.ofVirtual().start(() -> {
      try {
        Thread.sleep(TIMEOUT_MS);
        ch.close();
      } catch (InterruptedException | IOException e) {
        // done in time, or closed anyway
      }
    });
  }

  @Override
  public void close() {
    try {
      ch.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }
}
