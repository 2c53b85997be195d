package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.sys.Signal;
import io.jrunc.testsupport.RequiresRoot;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Signals}, {@link CgroupManager#killAll} and {@link PopulatedWatch} on a real cgroup, as
 * root, under /signals-test/&lt;random&gt; (removed afterwards): the JDK's ProcessHandle delivers
 * SIGTERM and SIGKILL to a cgroup's processes; killAll empties the cgroup (through cgroup.kill on
 * v2 and hybrid); on v2 and hybrid the kernel's cgroup.events change wakes the wait for it to
 * empty, and the wait sees every process go, a frozen one too.
 */
@Timeout(120)
@RequiresRoot("creates cgroups under /signals-test")
class SignalsHostTest {
  private static final String PARENT = "signals-test";
  private CgroupManager m;
  private Process p;

  private CgroupManager cgroupWithSleeper() throws Exception {
    Live.assumeLayout(Layout.V1, Layout.HYBRID, Layout.V2);
    String id = Live.randomId();
    m = Cgroups.create(new CgroupConfig(id, "/" + PARENT + "/" + id, null, false, false));
    m.create();
    p = new ProcessBuilder("sleep", "60").start();
    m.addProcess((int) p.pid());
    assertThat(m.pids()).containsExactly((int) p.pid());
    return m;
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (p != null) p.destroyForcibly().waitFor();
    if (m != null) m.destroy();
    for (File h : new File("/sys/fs/cgroup").listFiles()) new File(h, PARENT).delete(); // rmdir, v1 and hybrid
    new File("/sys/fs/cgroup/" + PARENT).delete(); // v2
  }

  @Test
  void sigtermAndSigkillReachTheCgroupsProcessesThroughProcessHandle() throws Exception {
    cgroupWithSleeper();
    Signals.signalAll(m.pids(), Signal.SIGTERM);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(128 + Signal.SIGTERM);

    p = new ProcessBuilder("sleep", "60").start();
    m.addProcess((int) p.pid());
    Signals.signalAll(List.of((int) p.pid()), Signal.SIGKILL);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(128 + Signal.SIGKILL);
    // a pid that is gone is no error (as ESRCH)
    Signals.signalAll(List.of((int) p.pid()), Signal.SIGKILL);
  }

  @Test
  void killAndWaitReturnsOnceTheCgroupIsEmpty() throws Exception {
    cgroupWithSleeper();
    long t0 = System.nanoTime();
    Signals.killAndWait(m);
    assertThat(m.pids()).isEmpty();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(128 + Signal.SIGKILL);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5_000);
  }

  /**
   * awaitEmpty: an empty cgroup at once; one whose process stays is not empty when the time is
   * up (past its polled first 10 ms, through the watch on v2 and hybrid); and one whose process
   * is killed 100 ms into the wait, i.e. after the polling, is seen empty soon after the kill.
   */
  @Test
  void awaitEmptyReturnsWhenTheLastProcessLeavesAfterThePolledStart() throws Exception {
    cgroupWithSleeper();
    assertThat(Signals.awaitEmpty(m, 60_000_000L)).as("the sleeper stays").isFalse();
    Thread killer = new Thread(() -> {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      p.destroyForcibly();
    });
    long t0 = System.nanoTime();
    killer.start();
    assertThat(Signals.awaitEmpty(m, 5_000_000_000L)).isTrue();
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    killer.join();
    assertThat(m.pids()).isEmpty();
    assertThat(waited).as("woken after the kill at 100 ms, not at the time-out").isBetween(90L, 1_000L);
    assertThat(Signals.awaitEmpty(m, 1_000_000L)).as("empty: at once").isTrue();
  }

  /**
   * The parents a container made go with it, but not while a sibling still uses them; the
   * parent's busy rmdir is no error and needs no syscall's errno.
   */
  @Test
  void removeUpToKeepsAParentASiblingStillUsesAndRemovesItAfterwards() throws Exception {
    Live.assumeLayout(Layout.V1, Layout.HYBRID, Layout.V2);
    Path mount = Live.layout() == Layout.V2 ? Path.of("/sys/fs/cgroup") : Path.of("/sys/fs/cgroup/pids");
    Path parent = mount.resolve(PARENT).resolve(Live.randomId());
    Path a = parent.resolve("a"), b = parent.resolve("b");
    Path top = FsSupport.mkdirs(mount, a);
    FsSupport.mkdirs(mount, b);
    try {
      FsSupport.removeUpTo(a, top);
      assertThat(a).doesNotExist();
      assertThat(parent).as("b still uses it").isDirectory();
      FsSupport.removeUpTo(b, top);
      assertThat(b).doesNotExist();
      assertThat(parent).doesNotExist();
    } finally {
      for (Path d : List.of(a, b, parent)) d.toFile().delete();
    }
  }

  /** The kernel's rewrite of cgroup.events when the last process leaves wakes the watch: no poll. */
  @Test
  void theWatchIsWokenWhenTheCgroupEmpties() throws Exception {
    cgroupWithSleeper();
    Path v2 = m.v2Dir();
    if (Live.layout() == Layout.V1) {
      assertThat(v2).isNull();
      assertThat(PopulatedWatch.open(m)).isNull(); // pure v1: nothing tells, the caller polls
      return;
    }
    assertThat(FsSupport.populated(v2)).isEqualTo(1);
    try (PopulatedWatch w = PopulatedWatch.open(m)) {
      assertThat(w).isNotNull();
      // the kernel tells of cgroup.events' change from a work queue: the one of the sleeper's
      // joining may still arrive after the watch was set. Such wakes are allowed (the waiter
      // re-reads populated), but they stop, and the cgroup stays populated meanwhile.
      int early = 0;
      while (w.await(300)) {
        assertThat(FsSupport.populated(v2)).isEqualTo(1);
        assertThat(++early).as("wakes without a change keep coming").isLessThan(3);
      }
      p.destroyForcibly();
      assertThat(w.await(10_000)).as("woken by the kernel").isTrue();
    }
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 100 && FsSupport.populated(v2) != 0; i++) Thread.sleep(10);
    assertThat(FsSupport.populated(v2)).isEqualTo(0);
  }

  /**
   * killAll kills every process of the cgroup, not only the first (on v2 and hybrid one write
   * to cgroup.kill), and cgroup.events' populated goes from 1 to 0.
   */
  @Test
  void killAllKillsEveryProcessAndPopulatedFollows() throws Exception {
    cgroupWithSleeper();
    Process second = new ProcessBuilder("sleep", "60").start();
    try {
      m.addProcess((int) second.pid());
      assertThat(m.pids()).containsExactlyInAnyOrder((int) p.pid(), (int) second.pid());
      Path v2 = m.v2Dir();
      if (Live.layout() == Layout.V1) {
        assertThat(v2).isNull();
      } else {
        assertThat(FsSupport.populated(v2)).isEqualTo(1);
      }
      m.killAll();
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(second.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isEqualTo(128 + Signal.SIGKILL);
      assertThat(second.exitValue()).isEqualTo(128 + Signal.SIGKILL);
      if (v2 != null) {
        // reaped above; the kernel's flag follows within microseconds: wait for it briefly
        for (int i = 0; i < 100 && FsSupport.populated(v2) != 0; i++) Thread.sleep(10);
        assertThat(FsSupport.populated(v2)).isEqualTo(0);
      }
      assertThat(m.pids()).isEmpty();
    } finally {
      second.destroyForcibly().waitFor();
    }
  }

  /**
   * Hybrid: a process in the container's v1 directories but not in its unified one (moved there
   * by hand) is out of cgroup.kill's reach; the wait notices the v1 pids left and, after 50 ms
   * without the cgroup emptying, kills them through the freezer path, instead of failing after
   * 10 s.
   */
  @Test
  void aProcessOnlyInTheV1DirectoriesIsKilledToo() throws Exception {
    Live.assumeLayout(Layout.HYBRID);
    cgroupWithSleeper();
    Process q = new ProcessBuilder("sleep", "60").start();
    try {
      for (var e : m.state().entrySet()) {
        if (!e.getKey().startsWith("path.") || e.getKey().contains(CgroupPaths.UNIFIED)) continue;
        Files.writeString(Path.of(e.getValue()).resolve("cgroup.procs"), Long.toString(q.pid()));
      }
      assertThat(m.pids()).contains((int) q.pid());
      long t0 = System.nanoTime();
      Signals.killAndWait(m);
      assertThat(m.pids()).isEmpty();
      assertThat(q.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(q.exitValue()).isEqualTo(128 + Signal.SIGKILL);
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5_000);
    } finally {
      q.destroyForcibly().waitFor();
    }
  }

  /** A paused (frozen) cgroup's processes die too: killAndWait thaws after the kill, and returns once it is empty. */
  @Test
  void killAndWaitEmptiesAFrozenCgroup() throws Exception {
    cgroupWithSleeper();
    m.freeze();
    assertThat(m.isFrozen()).isTrue();
    Signals.killAndWait(m);
    assertThat(m.pids()).isEmpty();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(128 + Signal.SIGKILL);
    m.thaw(); // no-op when already thawed; destroy() in cleanUp removes it
  }

  /**
   * Pure v1's way, on a hybrid host: the same cgroup re-opened without its unified directory has
   * no cgroup.kill and no populated flag, so killAndWait kills through the freezer (freeze, signal
   * each pid, thaw) and polls the pids until the processes are gone.
   */
  @Test
  void withoutAV2DirectoryKillAndWaitKillsThroughTheFreezerAndPolls() throws Exception {
    Live.assumeLayout(Layout.HYBRID);
    cgroupWithSleeper();
    Process second = new ProcessBuilder("sleep", "60").start();
    try {
      m.addProcess((int) second.pid());
      java.util.Map<String, String> st = new java.util.LinkedHashMap<>(m.state());
      st.keySet().removeIf(k -> k.contains(CgroupPaths.UNIFIED));
      st.put("layout", Layout.V1.name());
      CgroupManager v1 = Cgroups.reopen(st);
      assertThat(v1.v2Dir()).isNull();
      assertThat(v1.pids()).containsExactlyInAnyOrder((int) p.pid(), (int) second.pid());
      Signals.killAndWait(v1);
      assertThat(v1.pids()).isEmpty();
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(second.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isEqualTo(128 + Signal.SIGKILL);
      assertThat(second.exitValue()).isEqualTo(128 + Signal.SIGKILL);
      assertThat(v1.isFrozen()).as("thawed again").isFalse();
    } finally {
      second.destroyForcibly().waitFor();
    }
  }
}
