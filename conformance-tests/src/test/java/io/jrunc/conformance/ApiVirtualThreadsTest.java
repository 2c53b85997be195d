package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrunc.core.api.Container;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.CreateOptions;
import io.jrunc.testsupport.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java API called from virtual threads, as an embedder on Loom does. The API waits in system
 * calls (wait4 for init's exit, poll over a hook, read of init's reports); a virtual thread
 * blocked in a native call keeps its carrier, so more such waits than the scheduler has carriers
 * froze every other virtual thread of the JVM, among them the one that would have ended the
 * waits: both cases here never finished before the API made its waits off the carrier.
 */
class ApiVirtualThreadsTest {
  @TempDir Path tmp;

  /** More waits than the virtual-thread scheduler has carriers. */
  private static final int WAITS =
      Integer.getInteger("jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors()) + 1;

  private static String id(String name, int i) {
    return "vt-" + name + "-" + ProcessHandle.current().pid() + "-" + i;
  }

  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void waitsOnVirtualThreadsLeaveTheOthersRunning() throws Exception {
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    List<Container> cs = new ArrayList<>();
    try {
      for (int i = 0; i < WAITS; i++) {
        Container c = rt.create(id("wait", i), CreateOptions.bundle(Bundle.busybox(tmp.resolve("b" + i)).args("sleep", "1000").write()));
        cs.add(c);
        c.start();
      }
      CountDownLatch exited = new CountDownLatch(WAITS);
      ConcurrentLinkedQueue<Integer> codes = new ConcurrentLinkedQueue<>();
      for (Container c : cs) {
        Thread.ofVirtual().start(() -> {
          try {
            codes.add(c.waitFor());
          } catch (Exception e) {
            codes.add(-1);
          }
          exited.countDown();
        });
      }
      Thread.sleep(300); // every waitFor is in wait4 now
      // the kill comes from another virtual thread: it needs a carrier while the waits go on
      Thread.ofVirtual().start(() -> {
        for (Container c : cs) {
          try {
            c.kill(9);
          } catch (Exception e) {
            // the wait then fails the test
          }
        }
      });
      assertThat(exited.await(30, TimeUnit.SECONDS)).as("every waitFor returned after the kill").isTrue();
      assertThat(codes).hasSize(WAITS).containsOnly(137);
    } finally {
      for (Container c : cs) {
        try {
          c.delete(true); // from this platform thread: ends a wait that is still stuck, too
        } catch (Exception ignored) {
          // reported by the assertions above
        }
      }
    }
  }

  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void createsWaitingOnHooksOnVirtualThreadsLeaveTheOthersRunning() throws Exception {
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    Path gate = tmp.resolve("gate");
    // each create's createRuntime hook (no timeout) announces itself, then waits for the gate
    Path hook = gatedHook("cat >/dev/null; touch \"$1\"", gate);
    CountDownLatch created = new CountDownLatch(WAITS);
    ConcurrentLinkedQueue<Container> cs = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    try {
      for (int i = 0; i < WAITS; i++) {
        Bundle b = Bundle.busybox(tmp.resolve("b" + i)).args("true");
        ObjectNode h = ((ArrayNode) b.config.putObject("hooks").putArray("createRuntime")).addObject();
        h.put("path", hook.toString());
        h.putArray("args").add(hook.toString()).add(tmp.resolve("in-hook-" + i).toString());
        Path bundle = b.write();
        String id = id("hook", i);
        Thread.ofVirtual().start(() -> {
          try {
            cs.add(rt.create(id, CreateOptions.bundle(bundle)));
          } catch (Throwable t) {
            failures.add(t);
          }
          created.countDown();
        });
      }
      // another virtual thread opens the gate once every hook runs
      Thread.ofVirtual().start(() -> {
        try {
          for (int i = 0; i < WAITS; i++) {
            while (!Files.exists(tmp.resolve("in-hook-" + i))) Thread.sleep(20);
          }
          Files.createFile(gate);
        } catch (Exception e) {
          failures.add(e);
        }
      });
      boolean done = created.await(30, TimeUnit.SECONDS);
      if (!done) Files.createFile(gate); // from this platform thread: let the hooks end, then fail
      assertThat(done).as("every create returned once its hook did").isTrue();
      assertThat(failures).isEmpty();
      assertThat(cs).hasSize(WAITS);
    } finally {
      if (!Files.exists(gate)) Files.createFile(gate);
      created.await(30, TimeUnit.SECONDS);
      for (Container c : cs) c.delete(true);
    }
  }
  /**
   * The kernel ties a child's parent-death signal to the thread that cloned it, and init has
   * SIGKILL there until READY. A virtual thread's carrier ends after 30 s idle (while a long
   * createContainer hook runs, say), so a create from a virtual thread clones init on a platform
   * thread of the runtime's that stays in the create: init is a child of a "jrunc-wait" thread,
   * not of a carrier ("ForkJoinPool-1-worker-N"), seen in /proc/self/task/TID/children.
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void aCreateFromAVirtualThreadClonesInitOnAThreadThatOutlivesItsSetup() throws Exception {
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    Path gate = tmp.resolve("gate");
    Path state = tmp.resolve("state.json");
    Path hook = gatedHook("cat > " + state + ".tmp && mv " + state + ".tmp " + state, gate);
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("true");
    ((ArrayNode) b.config.putObject("hooks").putArray("createRuntime")).addObject().put("path", hook.toString());
    Path bundle = b.write();
    String id = id("parent", 0);
    var created = new java.util.concurrent.CompletableFuture<Container>();
    Thread.ofVirtual().start(() -> {
      try {
        created.complete(rt.create(id, CreateOptions.bundle(bundle)));
      } catch (Throwable t) {
        created.completeExceptionally(t);
      }
    });
    String parent;
    try {
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (!Files.exists(state) && System.nanoTime() < deadline) Thread.sleep(20);
      int init = Bundle.node(Files.readString(state)).get("pid").asInt();
      parent = threadWithChild(init);
    } finally {
      Files.createFile(gate);
    }
    Container c = created.get(30, TimeUnit.SECONDS);
    try {
      assertThat(parent).as("the thread that cloned init").startsWith("jrunc-wait");
    } finally {
      c.delete(true);
    }
  }

  /** A hook script that runs {@code first}, then waits (without a timeout) until {@code gate} exists. */
  private Path gatedHook(String first, Path gate) throws Exception {
    Path hook = tmp.resolve("hook.sh");
    Files.writeString(hook, "#!/bin/sh\n" + first + "\nwhile [ ! -e " + gate + " ]; do sleep 0.05; done\n");
    hook.toFile().setExecutable(true);
    return hook;
  }

  /** The name of this JVM's thread whose children include {@code pid}, or "none". */
  private static String threadWithChild(int pid) throws Exception {
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          for (String s : Files.readString(t.resolve("children")).trim().split("\\s+")) {
            if (s.equals(String.valueOf(pid))) return Files.readString(t.resolve("comm")).trim();
          }
        } catch (java.io.IOException e) {
          // the thread ended meanwhile
        }
      }
    }
    return "none";
  }
}
