package io.jrunc.core.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.jrunc.core.failure.InvalidConfigFailure;
import io.jrunc.spec.validate.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** create's config errors carry every problem as pointer and message, and print as before. */
class InvalidConfigDetailsTest {
  @TempDir Path tmp;

  @Test
  void everyProblemHasItsPointer() throws Exception {
    Files.writeString(tmp.resolve("config.json"), """
        {"ociVersion": "1.3.0", "root": {"path": "rootfs"}, "process": {"user": {"uid": 0, "gid": 0},
         "args": ["sh"], "cwd": "/"},
         "linux": {"namespaces": [{"type": "mount"}], "sysctl": {"vm.swappiness": "1"},
                   "resources": {"cpu": {"quota": 10}}}}""");
    InvalidConfigFailure e = catchThrowableOfType(InvalidConfigFailure.class,
        () -> SpecLoader.loadSpec(tmp, false));
    assertThat(e.details()).extracting(Problem::jsonPointer)
        .containsExactly("/linux/resources/cpu/quota", "/linux/sysctl/vm.swappiness");
    assertThat(e.problems()).containsExactly(
        "config.json: /linux/resources/cpu/quota: 10 is below the kernel's minimum of 1000 microseconds",
        "config.json: /linux/sysctl/vm.swappiness: sysctl \"vm.swappiness\" is not namespaced; setting it would change the host");
    assertThat(e).hasMessage(String.join("\n", e.problems()));
  }

  @Test
  void aProblemGivenAsALineIsSplitIntoPointerAndMessage() {
    InvalidConfigFailure e = new InvalidConfigFailure(List.of(
        "config.json: /linux/netDevices: unable to move network devices", "process.terminal is true but no console socket was given"));
    assertThat(e.details()).containsExactly(new Problem("/linux/netDevices", "unable to move network devices"),
        new Problem("", "process.terminal is true but no console socket was given"));
  }
}
