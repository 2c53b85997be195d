package io.jrunc.core.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** exec into a user namespace: setgroups(2) only where the namespace allows it. */
class ExecSetgroupsTest {
  @TempDir Path proc;

  @Test
  void readsTheJoinedNamespacesSetgroupsFile() throws Exception {
    Path pid = Files.createDirectories(proc.resolve("42/ns"));
    Files.writeString(proc.resolve("42/setgroups"), "deny\n");
    assertThat(ExecPlanner.setgroupsAllowed(pid.resolve("user").toString())).isFalse();
    Files.writeString(proc.resolve("42/setgroups"), "allow\n");
    assertThat(ExecPlanner.setgroupsAllowed(pid.resolve("user").toString())).isTrue();
  }

  @Test
  void noUserNamespaceJoinedOrNoFileMeansAllowed() {
    assertThat(ExecPlanner.setgroupsAllowed(null)).isTrue();
    assertThat(ExecPlanner.setgroupsAllowed(proc.resolve("7/ns/user").toString())).isTrue();
  }

  @Test
  void thisProcessIsAllowed() {
    assertThat(ExecPlanner.setgroupsAllowed("/proc/self/ns/user")).isTrue();
  }
}
