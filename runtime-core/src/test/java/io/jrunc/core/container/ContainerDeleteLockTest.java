package io.jrunc.core.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.api.ContainerException;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.StateStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * delete and the container's lock, held by another process: a container with a state.json is
 * deleted only once the lock is free (its record is read under it); a state directory without
 * one (a create under way, or one that died) is removed by {@code --force} at once, as runc
 * removes such a directory, and refused without force.
 */
@Timeout(60)
class ContainerDeleteLockTest {
  @TempDir Path tmp;

  private Process holdLock(Path root, String id) throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "io.jrunc.core.state.LockHolder",
        root.toString(), id)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).isEqualTo("locked");
    return p;
  }

  @Test
  void aStoppedContainerIsDeletedOnlyOnceItsLockIsFree() throws Exception {
    Path root = tmp.resolve("root");
    StateStore store = new StateStore(root);
    assertThat(store.claim("s1")).isTrue();
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    // a pid that has exited and a start time no process has: stopped; no cgroup of its own
    store.writeRecord(new ContainerRecord("s1", "/b", "/b/rootfs", (int) gone.pid(), 1L, "2026-01-01T00:00:00Z", "root",
        Map.of(), "1.3.0", Map.of(), false, false, true));
    Files.writeString(store.dir("s1").resolve("config.json"), "{\"ociVersion\":\"1.3.0\"}");
    Process holder = holdLock(root, "s1");
    try {
      ContainerRuntime rt = ContainerRuntime.open(root);
      CompletableFuture<Void> del = CompletableFuture.runAsync(() -> {
        try {
          rt.delete("s1", false);
        } catch (ContainerException e) {
          throw new RuntimeException(e);
        }
      });
      assertThatThrownBy(() -> del.get(700, TimeUnit.MILLISECONDS)).as("waits for the lock").isInstanceOf(TimeoutException.class);
      assertThat(store.dir("s1").resolve("state.json")).exists();
      holder.getOutputStream().close(); // the holder lets go and exits
      del.get(30, TimeUnit.SECONDS);
      assertThat(store.dir("s1")).doesNotExist();
    } finally {
      holder.destroyForcibly().waitFor();
    }
  }

  @Test
  void aDirectoryWithoutStateIsRemovedByForceWithoutWaitingForTheLock() throws Exception {
    Path root = tmp.resolve("root");
    StateStore store = new StateStore(root);
    assertThat(store.claim("c1")).isTrue();
    Process holder = holdLock(root, "c1"); // as a create under way holds it
    try {
      ContainerRuntime rt = ContainerRuntime.open(root);
      assertThatThrownBy(() -> rt.delete("c1", false)).hasMessageContaining("is being created");
      assertThat(store.dir("c1")).isDirectory();
      CompletableFuture<Void> del = CompletableFuture.runAsync(() -> {
        try {
          rt.delete("c1", true);
        } catch (ContainerException e) {
          throw new RuntimeException(e);
        }
      });
      del.get(10, TimeUnit.SECONDS);
      assertThat(store.dir("c1")).doesNotExist();
    } finally {
      holder.destroyForcibly().waitFor();
    }
  }

  /**
   * A verb whose container a delete removed between its look at the record and its lock: the
   * lock file has no directory to be opened in, and that is "does not exist" (NIO's
   * NoSuchFileException named only the lock file's path: "kill c: ROOT/c/lock").
   */
  @Test
  void aLockOfAContainerRemovedMeanwhileIsDoesNotExist() throws Exception {
    Path root = tmp.resolve("root");
    StateStore store = new StateStore(root);
    assertThat(store.claim("other")).isTrue(); // the root is there, the container's directory not
    ContainerVerb verb = new ContainerVerb(new Lifecycle(store)) {};
    assertThatThrownBy(() -> verb.lock("removed")).isInstanceOf(io.jrunc.core.failure.NotFoundFailure.class)
        .hasMessage("container does not exist");
    try (StateStore.Lock lock = verb.lock("other")) {
      assertThat(lock).isNotNull();
    }
  }

  /**
   * A delete killed after it renamed the container's directory out of sight leaves
   * '#deleting-ID' with the rest of its files: delete --force of the id (which finds no such
   * container) removes it, and a delete without force still says "does not exist".
   */
  @Test
  void deleteForceOfAMissingIdRemovesAKilledDeletesLeftover() throws Exception {
    Path root = tmp.resolve("root");
    Path leftover = Files.createDirectories(root.resolve("#deleting-k1").resolve("notify"));
    Files.writeString(root.resolve("#deleting-k1").resolve("config.json"), "{}");
    ContainerRuntime rt = ContainerRuntime.open(root);
    assertThat(rt.list()).isEmpty();
    assertThatThrownBy(() -> rt.delete("k1", false)).isInstanceOf(ContainerException.class)
        .hasMessageContaining("does not exist");
    assertThat(leftover).exists();
    rt.delete("k1", true);
    assertThat(root.resolve("#deleting-k1")).doesNotExist();
  }
}
