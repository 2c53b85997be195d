package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FsSupport#removeUpTo} on plain directories standing in for cgroupfs: the leaf and the
 * levels up to the topmost one created go, nothing above it, nothing a sibling still uses, and
 * never a path that is not a directory.
 */
class FsSupportRemoveTest {
  @TempDir Path tmp;

  @Test
  void theLeafAndItsParentsUpToTheTopGoAndNothingAbove() throws Exception {
    Path top = tmp.resolve("pod"), leaf = top.resolve("mid/c");
    Files.createDirectories(leaf);
    FsSupport.removeUpTo(leaf, top);
    assertThat(top).doesNotExist();
    assertThat(tmp).isDirectory();
  }

  @Test
  void aParentASiblingUsesStays() throws Exception {
    Path top = tmp.resolve("pod"), a = top.resolve("a"), b = top.resolve("b");
    Files.createDirectories(a);
    Files.createDirectories(b);
    FsSupport.removeUpTo(a, top);
    assertThat(a).doesNotExist();
    assertThat(b).isDirectory();
    FsSupport.removeUpTo(b, top);
    assertThat(top).doesNotExist();
  }

  @Test
  void aMissingLeafIsNoErrorAndItsEmptyParentsGo() throws Exception {
    Path top = tmp.resolve("pod");
    Files.createDirectories(top);
    FsSupport.removeUpTo(top.resolve("gone"), top);
    assertThat(top).doesNotExist();
  }

  @Test
  void theLeafAloneWhenItIsTheTopOrHasNone() throws Exception {
    Path leaf = tmp.resolve("p/c");
    Files.createDirectories(leaf);
    FsSupport.removeUpTo(leaf, leaf);
    assertThat(leaf).doesNotExist();
    assertThat(tmp.resolve("p")).isDirectory();
    Files.createDirectories(leaf);
    FsSupport.removeUpTo(leaf, null);
    assertThat(leaf).doesNotExist();
    assertThat(tmp.resolve("p")).isDirectory();
  }

  /** A regular file where a cgroup directory should be is refused with the kernel's reason, and kept. */
  @Test
  void aFileIsNeverRemoved() throws Exception {
    Path top = tmp.resolve("pod");
    Files.createDirectories(top);
    Path file = Files.writeString(top.resolve("c"), "x");
    assertThatThrownBy(() -> FsSupport.removeUpTo(file, top))
        .isInstanceOf(CgroupException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("ENOTDIR");
    assertThat(file).hasContent("x");
    assertThat(top).isDirectory();
  }
}
