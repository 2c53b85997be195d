package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.testsupport.RequiresRoot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lo} in the container's network namespace, seen from inside: up when jrunc creates the
 * namespace (as runc and crun bring it up), untouched when the namespace is joined by path.
 */
@RequiresRoot("runs containers with network namespaces")
class LoopbackTest {
  @TempDir Path tmp;

  /** Prints lo's flags, then talks to itself over 127.0.0.1 with busybox nc. */
  static final String PROBE = """
      ip link show lo | head -n 1
      nc -l -p 5555 > /dev/shm/got &
      sleep 0.5
      echo hello | nc 127.0.0.1 5555 && sleep 0.3
      echo got=$(cat /dev/shm/got)
      """;

  @Test
  void loopbackIsUpInANewNetworkNamespace() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh(PROBE);
    var r = j.run("run", "--bundle", b.write().toString(), "rootfs-lo-new");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).containsPattern("^1: lo: <LOOPBACK,UP,LOWER_UP>").contains("got=hello\n");
  }

  @Test
  void aJoinedNetworkNamespaceIsLeftAlone() throws Exception {
    String name = "rootfs-lo-" + ProcessHandle.current().pid();
    ip("netns", "add", name);
    try {
      Jrunc j = new Jrunc(tmp.resolve("root"));
      Bundle b = Bundle.busybox(tmp.resolve("b")).sh(PROBE).withoutNamespace("network")
          .addNamespace("network", "/run/netns/" + name);
      var r = j.run("run", "--bundle", b.write().toString(), "rootfs-lo-joined");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).startsWith("1: lo: <LOOPBACK> ").doesNotContain("got=hello");
      assertThat(ip("-n", name, "link", "show", "lo")).contains("<LOOPBACK>").doesNotContain(",UP");
    } finally {
      ip("netns", "delete", name);
    }
  }

  private static String ip(String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    if (p.exitValue() != 0) throw new IOException("ip " + String.join(" ", args) + ": " + out);
    return out;
  }
}
