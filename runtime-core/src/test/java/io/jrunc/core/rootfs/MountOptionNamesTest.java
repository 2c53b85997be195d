package io.jrunc.core.rootfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.spec.KnownValues;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The mount options {@code features} reports (KnownValues.MOUNT_OPTIONS) are the ones the parser knows. */
class MountOptionNamesTest {
  @Test
  void everyReportedOptionIsParsedAsAnOptionNotAsFilesystemData() {
    for (String o : KnownValues.MOUNT_OPTIONS) {
      assertThat(MountOptions.parse(List.of(o)).data()).as(o).isEmpty();
    }
    assertThat(MountOptions.parse(List.of("size=64k")).data()).containsExactly("size=64k");
  }
}
