package io.jrunc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.spec.Features;
import io.jrunc.spec.KnownValues;
import org.junit.jupiter.api.Test;

/**
 * {@code jrunc features} claims exactly what the validator accepts (and core's name tables, which
 * are the validator's lists: NameTablesTest, MountOptionNamesTest). Orders may differ: features
 * keeps runc's.
 */
class FeaturesAgreeTest {
  @Test
  void featuresReportTheValidatorsNames() {
    Features f = FeaturesDocument.build();
    assertThat(f.hooks()).isEqualTo(KnownValues.HOOKS);
    assertThat(f.mountOptions()).isEqualTo(KnownValues.MOUNT_OPTIONS);
    assertThat(f.linux().namespaces()).containsExactlyInAnyOrderElementsOf(KnownValues.NAMESPACES);
    assertThat(f.linux().capabilities()).isEqualTo(KnownValues.CAPABILITIES);
    assertThat(f.linux().seccomp().actions()).containsExactlyInAnyOrderElementsOf(KnownValues.SECCOMP_ACTIONS);
    assertThat(f.linux().seccomp().operators()).containsExactlyInAnyOrderElementsOf(KnownValues.SECCOMP_OPERATORS);
    assertThat(f.linux().memoryPolicy().modes()).containsExactlyInAnyOrderElementsOf(KnownValues.MEMORY_POLICY_MODES);
    assertThat(f.linux().memoryPolicy().flags()).containsExactlyInAnyOrderElementsOf(KnownValues.MEMORY_POLICY_FLAGS);
    assertThat(f.ociVersionMax()).isEqualTo(KnownValues.OCI_VERSION_MAX);
    assertThat(f.ociVersionMin()).isEqualTo(KnownValues.OCI_VERSION_MIN);
  }
}
