package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/jrunc finds its jar from where it really is however it is reached: by its absolute path
 * (no readlink fork), through a symlink to it, through a symlinked directory on the way, and by
 * a relative path; and a copy of the installed launchers, from anywhere. Needs the built jars; no
 * root.
 */
class LauncherTest {
  @TempDir Path tmp;

  private static String version(Path cwd, String launcher) throws Exception {
    return run(cwd, launcher, "--version");
  }

  private static String run(Path cwd, String... command) throws Exception {
    String launcher = command[0];
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    File out = File.createTempFile("launcher", ".txt");
    pb.redirectErrorStream(true).redirectOutput(out);
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
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

  /**
   * A copy of the installed launcher placed elsewhere still finds the install: runc is one
   * binary that runs from anywhere, and podman's system test "full path to --runtime is
   * preserved" runs {@code cp --preserve $runtime /var/tmp/myruntimeXXX}, then that copy. The
   * prefix (with a space and a quote in it) is the one install.sh writes into the launchers.
   */
  @Test
  void aCopyOfTheInstalledLaunchersFindsTheInstall() throws Exception {
    Path repo = Jrunc.LAUNCHER.getParent().getParent();
    Path prefix = tmp.resolve("pre fix's");
    ProcessBuilder pb = new ProcessBuilder(repo.resolve("scripts/install.sh").toString(), prefix.toString());
    pb.environment().put("JRUNC_NO_AOT", "1"); // no cache training: the layout is under test
    File out = File.createTempFile("install", ".txt");
    pb.redirectErrorStream(true).redirectOutput(out);
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(out.toPath())).isZero();
    out.delete();

    Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
    Path copy = Files.copy(prefix.resolve("bin/jrunc"), elsewhere.resolve("myruntime"), StandardCopyOption.COPY_ATTRIBUTES);
    assertThat(version(tmp, copy.toString())).startsWith("jrunc version");

    Path shim = prefix.resolve("bin/containerd-shim-jrunc-v2");
    if (Files.exists(shim)) { // installed when its jar was built (the reactor builds it first)
      Path shimCopy = Files.copy(shim, elsewhere.resolve("containerd-shim-x-v2"), StandardCopyOption.COPY_ATTRIBUTES);
      assertThat(run(tmp, shimCopy.toString(), "-v")).contains("Runtime: jrunc");
    }
  }
}
