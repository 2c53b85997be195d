package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FsSupport#subdirs}: the child cgroups, found with or without the link-count shortcut. */
class FsSupportSubdirsTest {
  @TempDir Path tmp;

  @Test
  void aLeafWithControlFilesHasNoChildren() throws Exception {
    Files.writeString(tmp.resolve("cgroup.procs"), "");
    Files.writeString(tmp.resolve("tasks"), "");
    Files.writeString(tmp.resolve("pids.max"), "max");
    assertThat(FsSupport.subdirs(tmp)).isEmpty();
  }

  @Test
  void childCgroupsAreFoundBesideTheFiles() throws Exception {
    Files.writeString(tmp.resolve("cgroup.procs"), "");
    Files.createDirectories(tmp.resolve("nested.scope/deeper"));
    Files.createDirectory(tmp.resolve("other"));
    assertThat(FsSupport.subdirs(tmp)).containsExactlyInAnyOrder(tmp.resolve("nested.scope"), tmp.resolve("other"));
    assertThat(FsSupport.subdirs(tmp.resolve("nested.scope"))).containsExactly(tmp.resolve("nested.scope/deeper"));
    assertThat(FsSupport.subdirs(tmp.resolve("nested.scope/deeper"))).isEmpty();
  }

  @Test
  void aMissingDirectoryHasNoChildren() {
    assertThat(FsSupport.subdirs(tmp.resolve("gone"))).isEmpty();
  }
}
