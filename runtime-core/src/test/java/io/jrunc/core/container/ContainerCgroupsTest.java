package io.jrunc.core.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The warning of a delete that leaves the container's cgroup: another container's processes
 * (sharing the cgroupsPath), or init itself, not dead after its SIGKILL because it is frozen
 * elsewhere (crun's test suite, test_simple_delete, moves init into a freezer cgroup of its own
 * and freezes it; jrunc said "which are not the container's" of init's own pid).
 */
class ContainerCgroupsTest {
  @Test
  void initStillThereIsNamedAsSuch() {
    assertThat(ContainerCgroups.leftoverWarning("c1", 1485, true, List.of(1485))).isEqualTo(
        "the cgroup of c1 is not removed: its init 1485 has not exited after SIGKILL (frozen by a freezer cgroup"
            + " other than the container's, or in uninterruptible sleep?)");
    assertThat(ContainerCgroups.leftoverWarning("c1", 1485, true, List.of(1485, 1490)))
        .endsWith("uninterruptible sleep?); processes [1485, 1490] are still in it");
  }

  @Test
  void othersProcessesAreAnotherContainers() {
    assertThat(ContainerCgroups.leftoverWarning("c1", 1485, false, List.of(2000))).isEqualTo(
        "the cgroup of c1 is not removed: processes [2000] are still in it, which are not the container's"
            + " (they outlived its pid namespace: another container's, sharing the cgroupsPath?)");
  }
}
