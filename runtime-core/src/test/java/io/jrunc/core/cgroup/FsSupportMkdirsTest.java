package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FsSupport#mkdirs} on plain directories standing in for a hierarchy: it answers with the
 * topmost level it made (what delete and undo remove up to), null when the directory was there,
 * and names a hierarchy that is not there, all without a stat before its mkdirs.
 */
class FsSupportMkdirsTest {
  @TempDir Path tmp;

  @Test
  void theTopmostLevelMadeComesBackAndNullWhenItWasThere() throws Exception {
    Path mount = tmp.resolve("memory");
    Files.createDirectories(mount.resolve("pod"));
    Path leaf = mount.resolve("pod/mid/c");
    assertThat(FsSupport.mkdirs(mount, leaf)).isEqualTo(mount.resolve("pod/mid"));
    assertThat(leaf).isDirectory();
    assertThat(FsSupport.mkdirs(mount, leaf)).as("there already: nothing made").isNull();
    Path sibling = mount.resolve("pod/mid/d");
    assertThat(FsSupport.mkdirs(mount, sibling)).isEqualTo(sibling);
    Path fresh = mount.resolve("x/y/z");
    assertThat(FsSupport.mkdirs(mount, fresh)).as("every level below the mount made").isEqualTo(mount.resolve("x"));
    assertThat(fresh).isDirectory();
    assertThat(FsSupport.mkdirs(mount, mount)).as("the mount itself").isNull();
  }

  @Test
  void aHierarchyThatIsNotThereIsNamed() {
    Path mount = tmp.resolve("pids");
    assertThatThrownBy(() -> FsSupport.mkdirs(mount, mount.resolve("a/b")))
        .isInstanceOf(CgroupException.class).hasMessage("cgroup hierarchy " + mount + " is not mounted");
    assertThat(mount).doesNotExist();
  }

  @Test
  void anotherFailureNamesThePathAndLeavesNothingMade() throws Exception {
    Path mount = tmp.resolve("cpu");
    Files.createDirectories(mount);
    Files.writeString(mount.resolve("file"), "x");
    assertThatThrownBy(() -> FsSupport.mkdirs(mount, mount.resolve("file/c")))
        .isInstanceOf(CgroupException.class).hasMessageContaining("create cgroup").hasMessageContaining(mount + "/file/c");
    Path tooLong = mount.resolve("a").resolve("x".repeat(300));
    assertThatThrownBy(() -> FsSupport.mkdirs(mount, tooLong)).isInstanceOf(CgroupException.class)
        .hasMessageContaining("create cgroup");
    assertThat(mount.resolve("a")).as("the level it made first is removed").doesNotExist();
    assertThatThrownBy(() -> FsSupport.mkdirs(mount, Path.of("/elsewhere/c")))
        .hasMessage("cgroup /elsewhere/c is outside its hierarchy " + mount);
  }

  /**
   * A delete removes the empty parents its create made: one that runs between this create's
   * mkdir of the parent and of its own level took the parent away (ENOENT), and the create
   * failed. Here a thread plays such deletes, one per create: it removes the parent whenever it
   * finds it empty, at most once while each level is made below it.
   */
  @Test
  void aParentRemovedMeanwhileIsMadeAgain() throws Exception {
    Path mount = Files.createDirectories(tmp.resolve("memory"));
    Path parent = mount.resolve("docker");
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger round = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger removed = new java.util.concurrent.atomic.AtomicInteger();
    Thread remover = new Thread(() -> {
      int last = -1;
      while (!stop.get()) {
        int r = round.get();
        if (r == last) {
          Thread.onSpinWait();
          continue;
        }
        try {
          if (Files.deleteIfExists(parent)) {
            removed.incrementAndGet();
            last = r;
          }
        } catch (java.io.IOException notEmpty) {
          // a level is in it: try again
        }
      }
    });
    remover.start();
    try {
      for (int i = 0; i < 3000; i++) {
        round.set(i);
        Path leaf = parent.resolve("c" + i);
        FsSupport.mkdirs(mount, leaf);
        assertThat(leaf).isDirectory();
        Files.delete(leaf);
      }
    } finally {
      stop.set(true);
      remover.join();
    }
    assertThat(removed.get()).as("the parent was taken away meanwhile").isPositive();
  }
}
