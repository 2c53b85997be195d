package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.api.Container;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.CreateOptions;
import io.jrunc.core.api.Stdio;
import io.jrunc.testsupport.RequiresRoot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many containers from one JVM whose other threads churn allocations (constant GC): the
 * trampoline's child never runs Java, so no child hangs on a safepoint or a lock.
 */
@RequiresRoot("runs containers with namespaces and cgroups")
class ForkSafetyTest {
  @TempDir Path tmp;

  private static int runOne(ContainerRuntime rt, Path bundle, String id) throws Exception {
    Container c = rt.create(id, CreateOptions.bundle(bundle).withStdio(new Stdio(
        new Stdio.ToFile(Path.of("/dev/null")), new Stdio.ToFile(Path.of("/dev/null")), new Stdio.Inherit())));
    c.start();
    int status = c.waitFor();
    c.delete(false);
    return status;
  }

  @Test
  void twoThousandSequentialAndFourParallelUnderAllocationPressure() throws Exception {
    Path bundle = Bundle.busybox(tmp.resolve("b")).sh("exit 7").write();
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> churn = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Thread th = new Thread(() -> {
        var junk = new ArrayList<byte[]>();
        while (!stop.get()) {
          junk.add(new byte[1024]);
          if (junk.size() > 10_000) junk.clear();
        }
      });
      th.start();
      churn.add(th);
    }
    try {
      int n = Integer.getInteger("jrunc.forkSafety.runs", 2000);
      for (int i = 0; i < n; i++) {
        assertThat(runOne(rt, bundle, "seq" + i)).as("run " + i).isEqualTo(7);
      }
      // one bundle per worker: containers of one bundle share its cgroup, and deleting one
      // kills what is left in that cgroup
      Path[] bundles = new Path[4];
      for (int w = 0; w < 4; w++) bundles[w] = Bundle.busybox(tmp.resolve("w" + w)).sh("exit 7").write();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<Integer>> results = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        Path wb = bundles[w];
        int worker = w;
        results.add(pool.submit(() -> {
          for (int i = 0; i < 50; i++) {
            int st = runOne(rt, wb, "par" + worker + "-" + i);
            if (st != 7) return st;
          }
          return 7;
        }));
      }
      for (Future<Integer> f : results) assertThat(f.get()).isEqualTo(7);
      pool.shutdown();
      assertThat(rt.list()).isEmpty();
    } finally {
      stop.set(true);
      for (Thread t : churn) t.join();
    }
  }
}
