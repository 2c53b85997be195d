package io.jrunc.shim;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where the shim keeps things.
 *
 * <ul>
 *   <li>jrunc's state root for a containerd namespace: {@code /run/containerd/jrunc/<ns>} (runc's
 *       shim uses {@code /run/containerd/runc/<ns>}); {@code JRUNC_SHIM_ROOT} replaces
 *       {@code /run/containerd/jrunc}.</li>
 *   <li>the socket of a group: {@code /run/containerd/s/<sha256(address/ns/group)>}, as
 *       containerd's own shims name theirs (a unix socket path must stay under 108 bytes).</li>
 *   <li>the server's log: {@code <root>/<ns>/shim-<first 12 of the socket hash>.log}.</li>
 * </ul>
 */
public final class ShimPaths {
  private ShimPaths() {}

  public static Path stateRoot(String namespace) {
    String base = System.getenv().getOrDefault("JRUNC_SHIM_ROOT", "/run/containerd/jrunc");
    return Path.of(base, namespace);
  }

  public static String socketHash(String address, String namespace, String group) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256")
          .digest((address + "/" + namespace + "/" + group).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Path socket(String address, String namespace, String group) {
    String dir = System.getenv().getOrDefault("JRUNC_SHIM_SOCKET_DIR", "/run/containerd/s");
    return Path.of(dir, socketHash(address, namespace, group));
  }

  /**
   * The running server's pid, {@code <root>/<ns>/shim-<first 12 of the socket hash>.pid}: the
   * launcher's fast path for {@code start} in node-wide mode checks it without starting a JVM.
   */
  public static Path pidFile(Path socket, String namespace) {
    return stateRoot(namespace).resolve("shim-" + socket.getFileName().toString().substring(0, 12) + ".pid");
  }

  public static Path log(String address, String namespace, String group) {
    return stateRoot(namespace).resolve("shim-" + socketHash(address, namespace, group).substring(0, 12) + ".log");
  }
}
