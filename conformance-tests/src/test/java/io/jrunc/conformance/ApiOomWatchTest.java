package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrunc.core.api.Container;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.CreateOptions;
import io.jrunc.core.api.InvalidStateException;
import io.jrunc.core.api.OomListener;
import io.jrunc.core.api.OomWatch;
import io.jrunc.testsupport.RequiresRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ContainerRuntime#watchOom} on the real kernel: the OOM killer striking inside a
 * container with a 16 MiB limit reaches the listener from the kernel's notification (the watch
 * has no timer: a broken registration never reports), and deleting the container ends the
 * watch, its thread and its descriptors.
 */
class ApiOomWatchTest {
  @TempDir Path tmp;

  @RequiresRoot("runs a container with a memory cgroup")
  @Test
  void oomKillIsReportedAndDeleteEndsTheWatch() throws Exception {
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    String id = "oom-watch-" + ProcessHandle.current().pid();
    // the hog is the biggest process, so the OOM killer picks it and init lives on to be seen
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh("tail /dev/zero; sleep 60").cgroup(id);
    ObjectNode res = b.linux().putObject("resources");
    res.putObject("memory").put("limit", 16L << 20).put("swap", 16L << 20);
    long oomThreadsBefore = oomThreads();
    Container c = rt.create(id, CreateOptions.bundle(b.write()));
    // after create: the first use of the runtime opens jars and such for good
    Set<String> fdsBefore = fds();
    AtomicInteger ooms = new AtomicInteger();
    CountDownLatch oom = new CountDownLatch(1), ended = new CountDownLatch(1);
    try (OomWatch w = rt.watchOom(id, new OomListener() {
      @Override public void oom(String cid) {
        assertThat(cid).isEqualTo(id);
        ooms.incrementAndGet();
        oom.countDown();
      }
      @Override public void ended(String cid) {
        ended.countDown();
      }
    })) {
      assertThat(w.id()).isEqualTo(id);
      assertThat(oomThreads()).isEqualTo(oomThreadsBefore + 1);
      c.start();
      // start closes what create kept for it (init's report pipe, for the exec's outcome): not a
      // descriptor of the watch's, and gone from the baseline too
      Set<String> started = fds();
      fdsBefore.removeIf(f -> !started.contains(f));
      assertThat(oom.await(10, TimeUnit.SECONDS)).as("OOM reported by the watch").isTrue();
      assertThat(ended.getCount()).as("a live cgroup's watch goes on").isEqualTo(1);

      c.kill(9);
      c.waitFor();
      // counted by now: v1 signals the eventfd as the OOM killer starts, before the kill is counted
      assertThat(rt.oomKills(id)).isPositive();
      c.delete(false);
      // the kernel signals the eventfd when the memory cgroup is removed (v1); on v2 the
      // cgroup emptied first: either way the watch ends by itself, without close()
      assertThat(ended.await(2, TimeUnit.SECONDS)).as("watch ended by delete").isTrue();
    } finally {
      try {
        c.delete(true);
      } catch (Exception ignored) {
        // already deleted
      }
    }
    assertThat(ooms.get()).isPositive();
    // the one OOM thread ends with its last watch and closes the epoll set with it
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (oomThreads() > oomThreadsBefore && System.nanoTime() < deadline) Thread.sleep(10);
    assertThat(oomThreads()).as("jrunc-oom threads").isEqualTo(oomThreadsBefore);
    assertThat(fds()).as("open descriptors").isEqualTo(fdsBefore);
    assertThat(Path.of("/sys/fs/cgroup/memory/jrunc-test", id)).doesNotExist();
  }

  @RequiresRoot("runs a container with a memory cgroup")
  @Test
  void stoppedContainerCannotBeWatched() throws Exception {
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    String id = "oom-stopped-" + ProcessHandle.current().pid();
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("true").cgroup(id);
    Container c = rt.create(id, CreateOptions.bundle(b.write()));
    try {
      c.start();
      c.waitFor();
      assertThatThrownBy(() -> rt.watchOom(id, cid -> {}))
          .isInstanceOf(InvalidStateException.class).hasMessageContaining("container not running");
    } finally {
      c.delete(true);
    }
  }

  private static long oomThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("jrunc-oom")).count();
  }

  /** This JVM's open descriptors as "fd -> target" (the target says what leaked, if one does). */
  private static Set<String> fds() throws IOException {
    Set<String> out = new TreeSet<>();
    String listing = "/proc/" + ProcessHandle.current().pid() + "/fd"; // the listing's own descriptor
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      for (Path p : (Iterable<Path>) s::iterator) {
        try {
          Path target = Files.readSymbolicLink(p);
          if (!target.toString().equals(listing)) out.add(p.getFileName() + " -> " + target);
        } catch (IOException gone) {
          // the descriptor Files.list itself used
        }
      }
    }
    return out;
  }
}
