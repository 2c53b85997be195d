package io.jrunc.core.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** runc's environment rules, as create now applies them in two steps (merge while planning, HOME last). */
class ProcessEnvTest {
  @TempDir Path root;

  @Test
  void theLastOfANameWinsInItsPlaceAndAnEmptyHomeIsDropped() {
    assertThat(ProcessEnv.merge(List.of("PATH=/a", "X=1", "PATH=/b", "HOME=", "Y")))
        .containsExactly("X=1", "PATH=/b", "Y");
    assertThat(ProcessEnv.merge(List.of("HOME=/h", "HOME"))).isEmpty();
    assertThat(ProcessEnv.merge(List.of("HOME", "HOME=/h"))).containsExactly("HOME=/h");
    assertThat(ProcessEnv.merge(null)).isEmpty();
  }

  @Test
  void homeComesFromTheImageOnlyWhenMissing() throws Exception {
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nu:x:42:42::/home/u:/bin/sh\n");
    assertThat(ProcessEnv.withHome(List.of("A=1"), root, 42)).containsExactly("A=1", "HOME=/home/u");
    assertThat(ProcessEnv.withHome(List.of("HOME=/x", "A=1"), root, 42)).containsExactly("HOME=/x", "A=1");
    assertThat(ProcessEnv.withHome(List.of(), root, 7)).containsExactly("HOME=/");
    // the two steps give what the one-step prepare gives
    List<String> given = List.of("HOME=", "PATH=/a", "PATH=/b");
    assertThat(ProcessEnv.withHome(ProcessEnv.merge(given), root, 0)).isEqualTo(ProcessEnv.prepare(given, root, 0))
        .containsExactly("PATH=/b", "HOME=/root");
  }
}
