package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The v2 side of {@link OomMonitor} without root: inotify works on any file, so temporary
 * directories with {@code memory.events} and {@code cgroup.events} stand in for two cgroups
 * (the kernel rewrites these files; here the test does, and inotify reports both the same way).
 * The v1 side needs cgroupfs: ApiOomWatchTest in conformance-tests.
 */
class OomMonitorTest {
  @TempDir Path tmp;

  private Path cgroup(String name) throws Exception {
    Path d = Files.createDirectories(tmp.resolve(name));
    Files.writeString(d.resolve("memory.events"), "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
    Files.writeString(d.resolve("cgroup.events"), "populated 1\nfrozen 0\n");
    return d;
  }

  private static long oomThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("jrunc-oom")).count();
  }

  @Test
  void oneThreadServesManyCgroupsAndEndsWithTheLast() throws Exception {
    Path a = cgroup("a"), b = cgroup("b");
    OomMonitor m = new OomMonitor();
    LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
    long before = oomThreads();
    OomMonitor.Watch wa = m.watch(Map.of("", a.toString()), "a", listener("a", seen));
    OomMonitor.Watch wb = m.watch(Map.of("", b.toString()), "b", listener("b", seen));
    assertThat(oomThreads()).isEqualTo(before + 1);
    assertThat(m.size()).isEqualTo(2);

    // a change that is not an OOM (memory.max hit) reports nothing
    Files.writeString(b.resolve("memory.events"), "low 0\nhigh 0\nmax 3\noom 0\noom_kill 0\n");
    Files.writeString(a.resolve("memory.events"), "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\n");
    assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("a oom");
    Files.writeString(b.resolve("memory.events"), "low 0\nhigh 0\nmax 9\noom 1\noom_kill 0\n");
    assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("b oom");

    // a cgroup that empties ends its watch by itself
    Files.writeString(a.resolve("cgroup.events"), "populated 0\nfrozen 0\n");
    assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("a ended");
    assertThat(m.size()).isEqualTo(1);
    wa.close(); // idempotent after the end

    wb.close();
    assertThat(m.size()).isZero();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (oomThreads() > before && System.nanoTime() < deadline) Thread.sleep(10);
    assertThat(oomThreads()).as("the thread ends with the last watch").isEqualTo(before);
    assertThat(seen).isEmpty();

    // and starts again with the next one
    try (OomMonitor.Watch again = m.watch(Map.of("", b.toString()), "b", listener("b", seen))) {
      Files.writeString(b.resolve("memory.events"), "low 0\nhigh 0\nmax 9\noom 2\noom_kill 1\n");
      assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("b oom");
    }
  }

  @Test
  void noMemoryControllerIsOneClearError() throws Exception {
    Path d = Files.createDirectories(tmp.resolve("nomem"));
    OomMonitor m = new OomMonitor();
    assertThatThrownBy(() -> m.watch(Map.of("", d.toString()), "c1", listener("c1", new LinkedBlockingQueue<>())))
        .isInstanceOf(CgroupException.class)
        .hasMessage("watch OOM events of c1: the cgroup has no memory controller");
    assertThat(m.size()).isZero();
  }

  private static OomMonitor.Listener listener(String name, LinkedBlockingQueue<String> q) {
    return new OomMonitor.Listener() {
      @Override public void oom() { q.add(name + " oom"); }
      @Override public void ended() { q.add(name + " ended"); }
    };
  }
}
