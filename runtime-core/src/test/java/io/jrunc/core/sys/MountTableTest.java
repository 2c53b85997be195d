package io.jrunc.core.sys;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.testsupport.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mount table kept between creates: it is read again exactly when the kernel says this mount
 * namespace changed, so a mount made or removed between two reads is never missed.
 */
@Timeout(60)
class MountTableTest {
  @TempDir Path tmp;

  @Test
  @RequiresRoot("mounts a tmpfs on a directory of its own, in the test JVM's mount namespace, and unmounts it")
  void aMountOrUnmountBetweenTwoReadsIsSeenAndNothingElseMakesARead() throws Exception {
    MountTable.watch();
    String before = MountTable.text();
    assertThat(before).contains(" / / "); // the root mount's line
    // nothing changed: the very text kept, not read again
    assertThat(MountTable.text()).isSameAs(before);

    Path dir = Files.createDirectory(tmp.resolve("mnt"));
    String where = " " + dir + " ";
    assertThat(before).doesNotContain(where);
    run("mount", "-t", "tmpfs", "-o", "size=4k", "jrunc-mounttable-test", dir.toString());
    try {
      String mounted = MountTable.text();
      assertThat(mounted).contains(where).contains("jrunc-mounttable-test");
      assertThat(MountTable.text()).isSameAs(mounted);
    } finally {
      run("umount", "-l", dir.toString());
    }
    String after = MountTable.text();
    assertThat(after).doesNotContain(where);
    assertThat(MountTable.text()).isSameAs(after);
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    assertThat(p.waitFor()).as(String.join(" ", cmd)).isZero();
  }
}
