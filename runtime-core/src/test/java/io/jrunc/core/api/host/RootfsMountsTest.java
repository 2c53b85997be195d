package io.jrunc.core.api.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.sys.Mount;
import io.jrunc.testsupport.RequiresRoot;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RootfsMounts}: containerd's mount(8) options, then real mounts in the host's namespace. */
class RootfsMountsTest {
  @TempDir Path dir;

  @Test
  void overlayOptionsBecomeTheDataStringAndFlagWordsFlags() {
    var c = RootfsMounts.plan(new RootfsMounts.Layer("overlay", "overlay",
        List.of("index=off", "workdir=/w", "upperdir=/u", "lowerdir=/l1:/l2", "nosuid", "rw", "defaults")));
    assertThat(c.type()).isEqualTo("overlay");
    assertThat(c.flags()).isEqualTo(Mount.MS_NOSUID);
    assertThat(c.data()).isEqualTo("index=off,workdir=/w,upperdir=/u,lowerdir=/l1:/l2");
    assertThat(c.bind()).isFalse();
  }

  @Test
  void aBindByTypeOrOptionHasNoFilesystemType() {
    var byType = RootfsMounts.plan(new RootfsMounts.Layer("bind", "/snap/1", List.of("ro", "rbind")));
    assertThat(byType.bind()).isTrue();
    assertThat(byType.type()).isNull();
    assertThat(byType.flags()).isEqualTo(Mount.MS_BIND | Mount.MS_REC | Mount.MS_RDONLY);
    assertThat(byType.data()).isNull();
    var byOption = RootfsMounts.plan(new RootfsMounts.Layer("none", "/snap/1", List.of("bind")));
    assertThat(byOption.bind()).isTrue();
    assertThat(byOption.type()).isNull();
  }

  @Test
  @RequiresRoot("mounts onto a temporary directory in the host's mount namespace")
  void aReadOnlyBindIsReadOnlyAndUnmountAllTakesItAway() throws IOException {
    Path layer = Files.createDirectories(dir.resolve("layer"));
    Files.writeString(layer.resolve("etc-hostname"), "layer\n");
    Path rootfs = dir.resolve("bundle/rootfs"); // created by mountAll
    try {
      RootfsMounts.mountAll(List.of(new RootfsMounts.Layer("bind", layer.toString(), List.of("ro", "rbind"))), rootfs);
      assertThat(Files.readString(rootfs.resolve("etc-hostname"))).isEqualTo("layer\n");
      assertThatThrownBy(() -> Files.writeString(rootfs.resolve("new"), "x"))
          .isInstanceOf(FileSystemException.class).hasMessageContaining("Read-only file system");
    } finally {
      assertThat(RootfsMounts.unmountAll(rootfs)).isEqualTo(1);
    }
    assertThat(rootfs.resolve("etc-hostname")).doesNotExist();
    assertThat(RootfsMounts.unmountAll(rootfs)).as("nothing left to unmount").isZero();
  }

  @Test
  @RequiresRoot("mounts onto a temporary directory in the host's mount namespace")
  void aFailedLayerUnmountsTheOnesBeforeAndNamesMountTargetAndErrno() throws IOException {
    Path layer = Files.createDirectories(dir.resolve("layer"));
    Files.writeString(layer.resolve("f"), "1");
    Path rootfs = dir.resolve("rootfs");
    try {
      assertThatThrownBy(() -> RootfsMounts.mountAll(List.of(
          new RootfsMounts.Layer("bind", layer.toString(), List.of("rbind")),
          new RootfsMounts.Layer("overlay", "overlay", List.of("lowerdir=" + dir.resolve("missing")))), rootfs))
          .isInstanceOf(IOException.class)
          .isNotInstanceOf(AccessDeniedException.class)
          .hasMessageContaining("mount overlay overlay on " + rootfs)
          .hasMessageContaining("ENOENT");
      assertThat(rootfs.resolve("f")).as("the first layer was unmounted again").doesNotExist();
    } finally {
      RootfsMounts.unmountAll(rootfs);
    }
  }
}
