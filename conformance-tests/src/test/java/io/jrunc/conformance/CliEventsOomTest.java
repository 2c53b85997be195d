package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrunc.testsupport.RequiresRoot;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jrunc events} streams an "oom" line when the kernel reports the OOM, not at the next
 * stats interval: with a 60 s interval the line must come within seconds (the polling stream
 * this replaced printed it only after the interval).
 */
@RequiresRoot("runs a container with a memory cgroup")
class CliEventsOomTest {
  @TempDir Path tmp;

  @Test
  void oomLineComesFromTheKernelNotTheInterval() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    String id = "oom-events-" + ProcessHandle.current().pid();
    // init waits for /go, then a child hog is OOM-killed and init lives on
    Bundle b = Bundle.busybox(tmp.resolve("b"))
        .sh("while [ ! -e /go ]; do sleep 0.05; done; tail /dev/zero; sleep 60");
    ObjectNode res = b.linux().putObject("resources");
    res.putObject("memory").put("limit", 16L << 20).put("swap", 16L << 20);
    var cr = j.run("create", "--bundle", b.write().toString(), id);
    assertThat(cr.exit()).as(cr.toString()).isZero();
    Process events = null;
    try {
      var st = j.run("start", id);
      assertThat(st.exit()).as(st.toString()).isZero();
      events = new ProcessBuilder(Jrunc.LAUNCHER.toString(), "--root", j.root().toString(),
          "events", "--interval", "60s", id).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Process ev = events;
      Thread.ofVirtual().start(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(ev.getInputStream(), StandardCharsets.UTF_8))) {
          for (String l; (l = r.readLine()) != null; ) lines.add(l);
        } catch (java.io.IOException ignored) {
          // the stream ends with the process
        }
      });
      // the first stats line: the watch is armed before it is printed
      String first = lines.poll(30, TimeUnit.SECONDS);
      assertThat(first).as("first events line").isNotNull();
      assertThat(Bundle.node(first).get("type").asText()).isEqualTo("stats");

      Files.writeString(b.dir.resolve("rootfs/go"), "");
      String next = lines.poll(10, TimeUnit.SECONDS);
      assertThat(next).as("an oom line within 10 s with a 60 s interval").isNotNull();
      JsonNode oom = Bundle.node(next);
      assertThat(oom.get("type").asText()).isEqualTo("oom");
      assertThat(oom.get("id").asText()).isEqualTo(id);
    } finally {
      if (events != null) {
        events.destroy();
        events.waitFor(10, TimeUnit.SECONDS);
      }
      j.run("delete", "--force", id);
    }
  }

  /**
   * The stream ends when the container is deleted, as runc's does, not at the next stats tick
   * (here a minute away); on a stopped container events is runc's error, not an empty success.
   */
  @Test
  void theStreamEndsWithTheContainerAndAStoppedOneIsAnError() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    String id = "end-events-" + ProcessHandle.current().pid();
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("sleep", "100");
    assertThat(j.run("run", "-d", "--bundle", b.write().toString(), id).exit()).isZero();
    Process events = null;
    try {
      events = new ProcessBuilder(Jrunc.LAUNCHER.toString(), "--root", j.root().toString(),
          "events", "--interval", "60s", id).redirectErrorStream(true).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(events.getInputStream(), StandardCharsets.UTF_8));
      assertThat(Bundle.node(out.readLine()).get("type").asText()).isEqualTo("stats");
      assertThat(j.run("delete", "--force", id).exit()).isZero();
      assertThat(events.waitFor(30, TimeUnit.SECONDS)).as("events ended before its next tick").isTrue();
      assertThat(events.exitValue()).isZero();
    } finally {
      if (events != null && events.isAlive()) events.destroyForcibly();
      j.run("delete", "--force", id);
    }
    assertThat(j.run("run", "-d", "--bundle", b.write().toString(), id).exit()).isZero();
    try {
      assertThat(j.run("kill", id, "KILL").exit()).isZero();
      CliLifecycleTest.waitForStatus(j, id, "stopped");
      var r = j.run("events", id);
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.err()).contains("container with id " + id + " is not running");
    } finally {
      j.run("delete", "--force", id);
    }
  }
}
