package io.jrunc.core.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Libc.lstatType against the kernel: the type of the path itself, a final symlink not followed. */
class LstatTypeTest {
  @Test
  void typesOfWhatIsThereAndErrnosOfWhatIsNot(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("none"));
    Path toDir = Files.createSymbolicLink(dir.resolve("todir"), dir);
    assertThat(Libc.lstatType(dir.toString())).isEqualTo(Stat.S_IFDIR);
    assertThat(Libc.lstatType(file.toString())).isEqualTo(Stat.S_IFREG);
    assertThat(Libc.lstatType(dangling.toString())).isEqualTo(Stat.S_IFLNK);
    assertThat(Libc.lstatType(toDir.toString())).isEqualTo(Stat.S_IFLNK);
    assertThat(Libc.lstatType("/dev/null")).isEqualTo(Stat.S_IFCHR);
    assertThat(Libc.lstatType(dir.resolve("none").toString())).isEqualTo(-Errno.ENOENT);
    assertThat(Libc.lstatType(file.resolve("below").toString())).isEqualTo(-Errno.ENOTDIR);
  }
}
