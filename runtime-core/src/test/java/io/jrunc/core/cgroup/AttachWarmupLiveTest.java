package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrunc.testsupport.RequiresRoot;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link AttachWarmup} on the real kernel: it warms through this JVM's own cgroup and moves nothing. */
@RequiresRoot("writes this JVM's pid to its own cgroup.procs")
@Timeout(60)
class AttachWarmupLiveTest {
  @Test
  void warmingMovesNothingAndStopsWhenClosed() throws Exception {
    CgroupHost host = CgroupHost.current();
    Path procs = AttachWarmup.ownProcs(host.mounts(), CgroupMounts.parseProcCgroup(host.selfCgroup()));
    assumeTrue(procs != null, "this process is below the root of every cgroup mount");
    long pid = ProcessHandle.current().pid();
    String before = Live.procCgroup(pid);
    try (AttachWarmup w = AttachWarmup.start(procs)) {
      Thread.sleep(100); // the first write's grace period and some keep-alive writes
      assertThat(Live.procCgroup(pid)).isEqualTo(before);
    }
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (warmupThreadAlive() && System.nanoTime() < deadline) Thread.sleep(5);
    assertThat(warmupThreadAlive()).as("the warm-up thread ends once closed").isFalse();
    assertThat(Live.procCgroup(pid)).isEqualTo(before);
  }

  private boolean warmupThreadAlive() {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("jrunc-cgroup-warmup") && t.isAlive());
  }
}
