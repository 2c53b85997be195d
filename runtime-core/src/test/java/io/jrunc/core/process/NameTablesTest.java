package io.jrunc.core.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.security.Capabilities;
import io.jrunc.core.security.SeccompFeatures;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.spec.CPUAffinity;
import io.jrunc.spec.KnownValues;
import io.jrunc.spec.LinuxIOPriority;
import io.jrunc.spec.LinuxMemoryPolicy;
import io.jrunc.spec.LinuxPersonality;
import io.jrunc.spec.Process;
import io.jrunc.spec.Scheduler;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every name the validator accepts (runtime-oci-spec's KnownValues), core can act on: a name the
 * validator lets through and core refuses would fail create after validation, one core knows and
 * the validator refuses could never be used.
 */
class NameTablesTest {
  @Test
  void namespacesAndCapabilitiesAreTheValidatorsLists() {
    assertThat(Namespaces.TYPES).isSameAs(KnownValues.NAMESPACES);
    for (String t : KnownValues.NAMESPACES) assertThat(Namespaces.flag(t)).as(t).isNotZero();
    assertThat(Capabilities.known()).isSameAs(KnownValues.CAPABILITIES);
    for (int i = 0; i < KnownValues.CAPABILITIES.size(); i++) {
      assertThat(Capabilities.number(KnownValues.CAPABILITIES.get(i))).isEqualTo(i);
    }
  }

  @Test
  void seccompNamesAgree() {
    assertThat(SeccompFeatures.ACTIONS).containsExactlyInAnyOrderElementsOf(KnownValues.SECCOMP_ACTIONS);
    assertThat(SeccompFeatures.OPERATORS).containsExactlyInAnyOrderElementsOf(KnownValues.SECCOMP_OPERATORS);
    // TSYNC is reported as known but is the runtime's own choice, not a config flag
    assertThat(SeccompFeatures.KNOWN_FLAGS).containsAll(KnownValues.SECCOMP_FLAGS);
  }

  @Test
  void everyProcessAttributeNameTheValidatorAcceptsIsEncoded() {
    try (ProgramBuilder b = new ProgramBuilder()) {
      for (String p : KnownValues.SCHEDULER_POLICIES) {
        assertThatCode(() -> ProcessAttributes.scheduler(b, new Scheduler(p, null, null, KnownValues.SCHEDULER_FLAGS,
            null, null, null))).as(p).doesNotThrowAnyException();
      }
      for (String c : KnownValues.IO_PRIORITY_CLASSES) {
        assertThatCode(() -> ProcessAttributes.ioPriority(b, new LinuxIOPriority(c, 0))).as(c).doesNotThrowAnyException();
      }
      for (String m : KnownValues.MEMORY_POLICY_MODES) {
        assertThatCode(() -> ProcessAttributes.memoryPolicy(b, new LinuxMemoryPolicy(m, "0",
            KnownValues.MEMORY_POLICY_FLAGS))).as(m).doesNotThrowAnyException();
      }
      for (String d : KnownValues.PERSONALITY_DOMAINS) {
        assertThatCode(() -> ProcessAttributes.personality(b, new LinuxPersonality(d, List.of()))).as(d)
            .doesNotThrowAnyException();
      }
    }
  }

  @Test
  void whatTheValidatorRefusesNeverReachesTheEncoders() {
    // exec's process: the validator's rules, with pointers relative to the process
    Process p = new Process(null, null, new io.jrunc.spec.User(0L, 0L, null, null, null), List.of("sh"), null, null, "/", null, null, null, null, null,
        new Scheduler("SCHED_BOGUS", null, null, null, null, null, null), null, new LinuxIOPriority("IOPRIO_CLASS_BE", 9),
        new CPUAffinity("0-9000", null));
    assertThat(io.jrunc.spec.validate.Validator.process(p)).extracting(io.jrunc.spec.validate.Problem::jsonPointer)
        .containsExactlyInAnyOrder("/scheduler/policy", "/ioPriority/priority", "/execCPUAffinity/initial");
    try (ProgramBuilder b = new ProgramBuilder()) {
      assertThatThrownBy(() -> ProcessAttributes.scheduler(b, p.scheduler())).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a validated config");
    }
  }
}
