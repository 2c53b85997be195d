package io.jrunc.shim;

import io.jrunc.core.api.host.LimitedFiles;
import io.jrunc.spec.Json;
import io.jrunc.spec.Spec;
import java.io.File;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code start}: decides the group of the container, reuses the group's running shim or starts
 * one detached, writes {@code address} in the bundle and prints the address for containerd.
 *
 * <table>
 *   <caption>Groups (one shim process, one JVM, per group)</caption>
 *   <tr><th>JRUNC_SHIM_GROUP</th><th>group</th></tr>
 *   <tr><td>unset, {@code pod}</td><td>the pod: annotation {@code io.kubernetes.cri.sandbox-id}
 *       of config.json (runc's shim groups the same way), else the container alone</td></tr>
 *   <tr><td>{@code namespace}</td><td>every container of the containerd namespace: the JVM is
 *       started once per node and namespace</td></tr>
 *   <tr><td>{@code container}</td><td>every container alone</td></tr>
 * </table>
 */
final class ShimStart {
  static final String SANDBOX_ANNOTATION = "io.kubernetes.cri.sandbox-id";
  private static final long START_TIMEOUT_MILLIS = 20_000;

  private ShimStart() {}

  static String group(String mode, String namespace, String id, Spec spec) {
    String m = mode == null || mode.isEmpty() ? "pod" : mode;
    return switch (m) {
      case "namespace" -> "namespace:" + namespace;
      case "container" -> id;
      case "pod" -> {
        String sandbox = spec == null || spec.annotations() == null ? null : spec.annotations().get(SANDBOX_ANNOTATION);
        yield sandbox == null || sandbox.isEmpty() ? id : sandbox;
      }
      default -> throw new IllegalArgumentException("JRUNC_SHIM_GROUP=" + mode
          + ": unknown grouping (use pod, namespace or container)");
    };
  }

  static void run(ShimFlags flags) throws IOException, InterruptedException {
    if (flags.namespace().isEmpty()) throw new IllegalArgumentException("start: -namespace is required");
    if (flags.id().isEmpty()) throw new IllegalArgumentException("start: -id is required");
    Path bundle = Path.of(flags.bundleOrCwd());
    String group = group(System.getenv("JRUNC_SHIM_GROUP"), flags.namespace(), flags.id(), readSpec(bundle));
    Path sock = ShimPaths.socket(flags.address(), flags.namespace(), group);
    String address = "unix://" + sock;
    if (!connectable(sock)) spawn(flags, sock, ShimPaths.log(flags.address(), flags.namespace(), group));
    Path tmp = bundle.resolve(".address.tmp");
    Files.writeString(tmp, address);
    Files.move(tmp, bundle.resolve("address"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    System.out.print(address);
    System.out.flush();
  }

  private static Spec readSpec(Path bundle) throws IOException {
    try {
      byte[] json = LimitedFiles.readJson(bundle.resolve("config.json"), "config.json");
      return Json.read(json, Spec.class);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  static boolean connectable(Path sock) {
    if (!Files.exists(sock)) return false;
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Starts {@code serve} detached (it calls setsid itself) and waits until it accepts. */
  private static void spawn(ShimFlags flags, Path sock, Path log) throws IOException, InterruptedException {
    Files.createDirectories(log.getParent());
    List<String> cmd = new ArrayList<>(selfCommand());
    cmd.addAll(List.of("-namespace", flags.namespace(), "-address", flags.address(),
        "-publish-binary", flags.publishBinary(), "-id", flags.id(), "-socket", sock.toString()));
    if (flags.debug()) cmd.add("-debug");
    cmd.add("serve");
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("JRUNC_SHIM_LOG", log.toString()); // removed by a clean shutdown
    Process p = pb
        .directory(log.getParent().toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
    while (!connectable(sock)) {
      if (!p.isAlive()) {
        throw new IOException("the shim server exited with " + p.exitValue() + " before listening on " + sock
            + "; its log " + log + " ends: " + tail(log));
      }
      if (System.currentTimeMillis() > deadline) {
        p.destroyForcibly();
        throw new IOException("the shim server did not listen on " + sock + " within "
            + START_TIMEOUT_MILLIS / 1000 + " s; its log " + log + " ends: " + tail(log));
      }
      Thread.sleep(5);
    }
  }

  /**
   * How to run this program again: the launcher (bin/containerd-shim-jrunc-v2 exports its own
   * path as JRUNC_SHIM_LAUNCHER, so the server gets the same JDK, flags and AOT cache), else the
   * running JVM's java with the class path.
   */
  private static List<String> selfCommand() {
    String launcher = System.getenv("JRUNC_SHIM_LAUNCHER");
    if (launcher != null && !launcher.isEmpty()) return List.of(launcher);
    String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
    return List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        Main.class.getName());
  }

  private static String tail(Path log) {
    try {
      byte[] all = Files.readAllBytes(log);
      String s = new String(all, Math.max(0, all.length - 2000), Math.min(all.length, 2000), StandardCharsets.UTF_8);
      return s.strip();
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }
}
