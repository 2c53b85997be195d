package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/jrunc finds its jar from where it really is however it is reached: by its absolute path
 * (no readlink fork), through a symlink to it, through a symlinked directory on the way, and by
 * a relative path. Needs the built jar; no root.
 */
class LauncherTest {
  @TempDir Path tmp;

  private static String version(Path cwd, String launcher) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(launcher, "--version").directory(cwd.toFile());
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    File out = File.createTempFile("launcher", ".txt");
    pb.redirectErrorStream(true).redirectOutput(out);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String s = Files.readString(out.toPath());
    out.delete();
    assertThat(p.exitValue()).as(launcher + ": " + s).isZero();
    return s;
  }

  @Test
  void findsItsJarByAbsolutePathSymlinkSymlinkedDirectoryAndRelativePath() throws Exception {
    Path bin = Jrunc.LAUNCHER.getParent();
    assertThat(version(tmp, Jrunc.LAUNCHER.toString())).startsWith("jrunc version");

    Path link = tmp.resolve("jrunc");
    Files.createSymbolicLink(link, Jrunc.LAUNCHER);
    assertThat(version(tmp, link.toString())).startsWith("jrunc version");

    // PREFIX/bin a symlink to the repository's bin: $0 is no symlink itself, but the jar is not
    // under PREFIX: the launcher resolves the path then
    Path prefix = Files.createDirectory(tmp.resolve("prefix"));
    Files.createSymbolicLink(prefix.resolve("bin"), bin);
    assertThat(version(tmp, prefix.resolve("bin/jrunc").toString())).startsWith("jrunc version");

    for (List<String> rel : List.of(List.of(bin.toString(), "./jrunc"), List.of(bin.getParent().toString(), "bin/jrunc"))) {
      assertThat(version(Path.of(rel.get(0)), rel.get(1))).startsWith("jrunc version");
    }
  }
}
