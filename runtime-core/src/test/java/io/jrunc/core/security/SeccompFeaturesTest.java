package io.jrunc.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeccompFeaturesTest {
  @Test
  void thisHostSupportsEverything() {
    assertThat(SeccompFeatures.enabled()).isTrue();
    assertThat(SeccompFeatures.archs()).contains("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
        "SCMP_ARCH_AARCH64", "SCMP_ARCH_S390X").doesNotContain("SCMP_ARCH_SHEB_NOPE");
    // kernel 6.18: all four flags
    assertThat(SeccompFeatures.supportedFlags()).containsExactlyElementsOf(SeccompFeatures.KNOWN_FLAGS);
    for (String a : SeccompFeatures.ACTIONS) {
      SeccompCompiler.action(a, null, "x", "y"); // every listed action is accepted
    }
  }
}
