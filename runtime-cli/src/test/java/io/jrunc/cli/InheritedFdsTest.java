package io.jrunc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --preserve-fds and LISTEN_FDS pass only what the caller passed: a number it left closed is
 * refused (runc: "unable to stat preserved-fd"), and so is one the JVM filled with its own file
 * before main (crun's test suite, preserve-fds-some, showed the container the JDK's lib/modules,
 * jrunc's state lock, exec fifo, memfd, a cgroup directory and sync pipes in such numbers).
 */
class InheritedFdsTest {
  @TempDir Path dir;

  private static final String MODULES = "/usr/lib/jvm/jdk/lib/modules";

  @Test
  void allPassedIsFine() {
    Map<Integer, String> open = Map.of(0, "/dev/null", 1, "/dev/null", 2, "/dev/null", 3, "/dev/null", 4, "pipe:[7]",
        5, "socket:[8]");
    assertThat(InheritedFds.problem(open, Set.of(MODULES), 0, 3)).isNull();
    assertThat(InheritedFds.problem(open, Set.of(MODULES), 2, 1)).isNull();
    assertThat(InheritedFds.problem(open, Set.of(MODULES), 0, 0)).isNull();
  }

  @Test
  void aClosedNumberIsRefused() {
    Map<Integer, String> open = Map.of(0, "/dev/null", 3, "/dev/null", 4, "/dev/null", 6, "/dev/null");
    assertThat(InheritedFds.problem(open, Set.of(), 0, 4))
        .isEqualTo("--preserve-fds 4: preserved-fd 2 (fd 5) is not open: it was not passed to jrunc");
    assertThat(InheritedFds.problem(open, Set.of(), 3, 1)).isEqualTo("LISTEN_FDS=3: fd 5 is not open: it was not passed to jrunc");
  }

  @Test
  void theJvmsOwnFileIsNotPassedOn() {
    Map<Integer, String> open = Map.of(0, "/dev/null", 1, "/dev/null", 2, "/dev/null", 3, MODULES, 4, "/x.jar");
    assertThat(InheritedFds.problem(open, Set.of(MODULES, "/x.jar"), 0, 2))
        .isEqualTo("--preserve-fds 2: preserved-fd 0 (fd 3) was not passed to jrunc: it is the JVM's own " + MODULES);
  }

  @Test
  void theJvmFilesAreTheModuleImageAndTheClassPath() {
    Set<String> files = InheritedFds.jvmFiles();
    assertThat(files).contains(Path.of(System.getProperty("java.home"), "lib", "modules").toAbsolutePath().normalize().toString());
    String first = System.getProperty("java.class.path").split(java.io.File.pathSeparator)[0];
    assertThat(files).contains(Path.of(first).toAbsolutePath().normalize().toString());
  }

  @Test
  void theSnapshotSeesAnOpenFileAndNotItsOwnListing() throws Exception {
    Path f = Files.writeString(dir.resolve("f"), "x");
    Map<Integer, String> before = InheritedFds.openNow();
    try (FileInputStream in = new FileInputStream(f.toFile())) {
      Map<Integer, String> during = InheritedFds.openNow();
      assertThat(during.values()).contains(f.toString());
      assertThat(during.values()).noneMatch(t -> t.equals("/proc/" + ProcessHandle.current().pid() + "/fd"));
      assertThat(before.values()).doesNotContain(f.toString());
    }
  }

  @Test
  void wantedOnlyWithPreserveFdsOrListenFds() {
    assertThat(InheritedFds.wanted(List.of("run", "--preserve-fds", "2", "c"))).isTrue();
    assertThat(InheritedFds.wanted(List.of("exec", "-preserve-fds=1", "c", "true"))).isTrue();
    if (System.getenv("LISTEN_FDS") == null) {
      assertThat(InheritedFds.wanted(List.of("run", "c"))).isFalse();
    }
  }
}
