package io.jrunc.core.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.spec.LinuxIDMapping;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which filesystem id init uses in a new user namespace whose id 0 is not mapped. */
class FsIdTest {
  private static LinuxIDMapping map(long container, long host, long size) {
    return new LinuxIDMapping(container, host, size);
  }

  @Test
  void rootMappedKeepsRoot() {
    assertThat(InitPlanner.fsId(List.of(map(0, 100000, 65536)), 1000)).isEqualTo(-1);
    assertThat(InitPlanner.fsId(List.of(map(1000, 100000, 1), map(0, 200000, 1)), 1000)).isEqualTo(-1);
    assertThat(InitPlanner.fsId(List.of(), 1000)).isEqualTo(-1);
  }

  @Test
  void withoutRootTheProcesssIdIfMappedElseTheFirstMapped() {
    assertThat(InitPlanner.fsId(List.of(map(1000, 100000, 1)), 1000)).isEqualTo(1000);
    assertThat(InitPlanner.fsId(List.of(map(500, 100000, 10), map(1000, 200000, 1)), 1000)).isEqualTo(1000);
    assertThat(InitPlanner.fsId(List.of(map(500, 100000, 10), map(2000, 200000, 1)), 1000)).isEqualTo(500);
    assertThat(InitPlanner.fsId(List.of(map(1000, 100000, 1)), 1001)).isEqualTo(1000);
  }
}
