package io.jrunc.shim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/containerd-shim-jrunc-v2 answers {@code start} in the shell when the group's shim is
 * alive: its group and socket must be exactly what {@link ShimStart#group} and
 * {@link ShimPaths#socket} decide, or containerd would be sent to another shim (or none).
 * A fake live shim here is a listening socket at the Java-computed path and a pid file naming a
 * process whose command line names that socket.
 */
class LauncherStartTest {
  @TempDir Path dir;

  @Test
  void podModeFindsThePodsShimFromTheSandboxAnnotation() throws Exception {
    String json = "{\"ociVersion\":\"1.0.2\",\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\","
        + "\"io.kubernetes.cri.sandbox-id\":\"4f1e0c2ab9\"}}";
    assertFastStart(null, "4f1e0c2ab9", json);
  }

  @Test
  void podModeWithoutAnnotationIsTheContainersOwnGroup() throws Exception {
    assertFastStart(null, "ctr-1", "{\n  \"ociVersion\": \"1.0.2\"\n}\n");
  }

  @Test
  void nodeWideModeIsOneGroupPerNamespace() throws Exception {
    assertFastStart("namespace", "namespace:k8s.io", "{}");
  }

  private void assertFastStart(String mode, String expectedGroup, String configJson) throws Exception {
    Path bundle = Files.createDirectories(dir.resolve("bundle"));
    Files.writeString(bundle.resolve("config.json"), configJson);
    Path sockDir = Files.createDirectories(dir.resolve("s"));
    Path root = dir.resolve("root");
    Map<String, String> env = Map.of("JRUNC_SHIM_ROOT", root.toString(), "JRUNC_SHIM_SOCKET_DIR", sockDir.toString());
    String address = "/run/containerd/containerd.sock";
    // the Java side's answer, with the same environment as the launcher gets
    String hash = ShimPaths.socketHash(address, "k8s.io", expectedGroup);
    Path sock = sockDir.resolve(hash);
    assertThat(ShimStart.group(mode, "k8s.io", "ctr-1", io.jrunc.spec.Json.read(configJson, io.jrunc.spec.Spec.class)))
        .isEqualTo(expectedGroup);
    try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      listener.bind(UnixDomainSocketAddress.of(sock));
      Process fakeShim = new ProcessBuilder("sh", "-c", "sleep 60", sock.toString()).start();
      try {
        Files.createDirectories(root.resolve("k8s.io"));
        Files.writeString(root.resolve("k8s.io").resolve("shim-" + hash.substring(0, 12) + ".pid"), fakeShim.pid() + "\n");
        ProcessBuilder pb = new ProcessBuilder(Path.of("../bin/containerd-shim-jrunc-v2").toAbsolutePath().normalize().toString(),
            "-namespace", "k8s.io", "-address", address, "-publish-binary", "/usr/bin/containerd", "-id", "ctr-1", "start")
            .directory(bundle.toFile());
        pb.environment().putAll(env);
        pb.environment().remove("JRUNC_SHIM_GROUP");
        if (mode != null) pb.environment().put("JRUNC_SHIM_GROUP", mode);
        // no JDK may be needed on this path: a broken JAVA makes the JVM path fail loudly
        pb.environment().put("JRUNC_JAVA_HOME", "/nonexistent");
        Process start = pb.start();
        assertThat(start.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = new String(start.getInputStream().readAllBytes());
        String err = new String(start.getErrorStream().readAllBytes());
        assertThat(start.exitValue()).as("stderr: %s", err).isZero();
        assertThat(out).isEqualTo("unix://" + sock);
        assertThat(Files.readString(bundle.resolve("address"))).isEqualTo("unix://" + sock);
      } finally {
        fakeShim.destroyForcibly();
      }
    }
  }
}
