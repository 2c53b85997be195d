package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FsSupport#populated}: cgroup.events' populated field, wherever it is in the file; -1 when unknown. */
class FsSupportPopulatedTest {
  @TempDir Path tmp;

  private int populated(String events) throws Exception {
    Files.writeString(tmp.resolve("cgroup.events"), events);
    return FsSupport.populated(tmp);
  }

  @Test
  void readsTheFieldFirstOrLater() throws Exception {
    assertThat(populated("populated 1\nfrozen 0\n")).isEqualTo(1);
    assertThat(populated("populated 0\nfrozen 1\n")).isEqualTo(0);
    assertThat(populated("frozen 0\npopulated 1\n")).isEqualTo(1);
    assertThat(populated("frozen 0\npopulated 0")).isEqualTo(0);
  }

  @Test
  void unknownWhenMissingOrMalformed() throws Exception {
    assertThat(FsSupport.populated(tmp.resolve("gone"))).isEqualTo(-1);
    assertThat(populated("")).isEqualTo(-1);
    assertThat(populated("frozen 0\n")).isEqualTo(-1);
    assertThat(populated("populated x\n")).isEqualTo(-1);
    assertThat(populated("populated \n")).isEqualTo(-1);
    assertThat(populated("unpopulated 1\n")).isEqualTo(-1);
  }

  /** tryWriteControl: false for a missing file (no O_CREAT), true and the value written otherwise. */
  @Test
  void tryWriteControlWritesOnlyAnExistingFile() throws Exception {
    assertThat(FsSupport.tryWriteControl(tmp, "cgroup.kill", "1")).isFalse();
    assertThat(tmp.resolve("cgroup.kill")).doesNotExist();
    Files.writeString(tmp.resolve("cgroup.kill"), "0");
    assertThat(FsSupport.tryWriteControl(tmp, "cgroup.kill", "1")).isTrue();
    assertThat(tmp.resolve("cgroup.kill")).hasContent("1");
  }
}
