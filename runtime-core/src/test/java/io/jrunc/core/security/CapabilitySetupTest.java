package io.jrunc.core.security;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
import io.jrunc.spec.LinuxCapabilities;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

class CapabilitySetupTest {
  static final long PRCTL = 157, CAPSET = 126;

  @Test
  void namesAndNumbers() {
    assertThat(Capabilities.known()).hasSize(41);
    assertThat(Capabilities.number("CAP_CHOWN")).isZero();
    assertThat(Capabilities.number("CAP_SYS_ADMIN")).isEqualTo(21);
    assertThat(Capabilities.number("CAP_CHECKPOINT_RESTORE")).isEqualTo(40);
    assertThat(Capabilities.number("CAP_NOPE")).isEqualTo(-1);
    assertThat(Capabilities.name(39)).isEqualTo("CAP_BPF");
    assertThat(Capabilities.kernelLastCap()).isBetween(36, 63);
  }

  @Test
  void unknownAndNewerThanKernelCapsAreIgnored() {
    var s = Capabilities.Sets.of(new LinuxCapabilities(
        List.of("CAP_CHOWN", "CAP_UNKNOWN", "CAP_BPF"), null, null, null, null), 37);
    assertThat(s.bounding()).isEqualTo(1L);
    assertThat(s.ignored()).containsExactly("CAP_BPF", "CAP_UNKNOWN");
  }

  @Test
  void boundingDropsEverythingNotListedThenKeepsCaps() {
    var s = Capabilities.Sets.of(new LinuxCapabilities(
        List.of("CAP_CHOWN", "CAP_KILL", "CAP_SETPCAP"), null, null, null, null), 40);
    try (ProgramBuilder b = new ProgramBuilder()) {
      List<Step> steps = CapabilitySetup.emitBeforeUserSwitch(b, s);
      ChildProgram p = b.build();
      assertThat(steps).hasSize(41 - 3 + 1);
      long dropped = 0;
      for (int i = 0; i < steps.size() - 1; i++) {
        assertThat(Programs.nr(p, i)).isEqualTo(PRCTL);
        assertThat(Programs.arg(p, i, 0)).isEqualTo(24); // PR_CAPBSET_DROP
        assertThat(Programs.okErrno(p, i)).isEqualTo(22); // EINVAL tolerated
        dropped |= 1L << Programs.arg(p, i, 1);
      }
      assertThat(dropped).isEqualTo(((1L << 41) - 1) & ~((1L << 0) | (1L << 5) | (1L << 8)));
      assertThat(steps.get(1).description()).isEqualTo("drop CAP_DAC_READ_SEARCH from the bounding set");
      int last = steps.size() - 1;
      assertThat(Programs.arg(p, last, 0)).isEqualTo(8); // PR_SET_KEEPCAPS
      assertThat(Programs.arg(p, last, 1)).isEqualTo(1);
    }
  }

  @Test
  void capsetCarriesTheThreeSetsInTwoWordsAndAmbientFollows() {
    var s = Capabilities.Sets.of(new LinuxCapabilities(null,
        List.of("CAP_NET_BIND_SERVICE", "CAP_BPF"),
        List.of("CAP_NET_BIND_SERVICE", "CAP_CHECKPOINT_RESTORE"),
        List.of("CAP_NET_BIND_SERVICE", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"),
        List.of("CAP_NET_BIND_SERVICE", "CAP_BPF")), 40);
    try (ProgramBuilder b = new ProgramBuilder()) {
      List<Step> steps = CapabilitySetup.emitAfterUserSwitch(b, s);
      ChildProgram p = b.build();
      assertThat(steps).hasSize(4); // keepcaps 0, capset, clear ambient, raise NET_BIND_SERVICE (BPF not inheritable)
      assertThat(Programs.arg(p, 0, 0)).isEqualTo(8);
      assertThat(Programs.arg(p, 0, 1)).isZero();
      assertThat(Programs.nr(p, 1)).isEqualTo(CAPSET);
      MemorySegment hdr = Programs.at(p, 1, 0, 8);
      assertThat(hdr.get(JAVA_INT, 0)).isEqualTo(0x20080522);
      assertThat(hdr.get(JAVA_INT, 4)).isZero();
      MemorySegment data = Programs.at(p, 1, 1, 24);
      int nbs = 1 << 10;
      assertThat(data.get(JAVA_INT, 0)).isEqualTo(nbs);          // effective, low word
      assertThat(data.get(JAVA_INT, 4)).isEqualTo(nbs);          // permitted, low
      assertThat(data.get(JAVA_INT, 8)).isEqualTo(nbs);          // inheritable, low
      assertThat(data.get(JAVA_INT, 12)).isEqualTo(1 << 7);      // effective high: BPF (39)
      assertThat(data.get(JAVA_INT, 16)).isEqualTo((1 << 7) | (1 << 8)); // permitted high: BPF, CHECKPOINT_RESTORE
      assertThat(data.get(JAVA_INT, 20)).isEqualTo(1 << 8);      // inheritable high
      assertThat(Programs.arg(p, 2, 0)).isEqualTo(47);
      assertThat(Programs.arg(p, 2, 1)).isEqualTo(4);            // CLEAR_ALL
      assertThat(Programs.arg(p, 3, 1)).isEqualTo(2);            // RAISE
      assertThat(Programs.arg(p, 3, 2)).isEqualTo(10);
      assertThat(steps.get(1).description()).isEqualTo(
          "set capabilities (capset effective=0x8000000400 permitted=0x18000000400 inheritable=0x10000000400)");
    }
  }

  @Test
  void capabilitiesNewerThanThisBuildAreDroppedFromTheBoundingSetToo() {
    var s = Capabilities.Sets.of(new LinuxCapabilities(List.of("CAP_CHOWN", "CAP_CAP43"), null, null, null, null), 43);
    assertThat(s.ignored()).containsExactly("CAP_CAP43");
    try (ProgramBuilder b = new ProgramBuilder()) {
      List<Step> steps = CapabilitySetup.emitBeforeUserSwitch(b, s);
      assertThat(steps).hasSize(43 + 1); // 1..43 dropped, then keepcaps
      assertThat(steps.get(42).description()).isEqualTo("drop cap43 from the bounding set");
    }
  }

  @Test
  void noCapabilitiesSectionMeansEmptySets() {
    var s = Capabilities.Sets.of(null, 40);
    assertThat(s.bounding() | s.effective() | s.permitted() | s.inheritable() | s.ambient()).isZero();
    try (ProgramBuilder b = new ProgramBuilder()) {
      assertThat(CapabilitySetup.emitBeforeUserSwitch(b, s)).hasSize(42);
    }
  }

  @Test
  void noNewPrivileges() {
    try (ProgramBuilder b = new ProgramBuilder()) {
      CapabilitySetup.emitNoNewPrivileges(b);
      ChildProgram p = b.build();
      assertThat(Programs.nr(p, 0)).isEqualTo(PRCTL);
      assertThat(Programs.arg(p, 0, 0)).isEqualTo(38);
      assertThat(Programs.arg(p, 0, 1)).isEqualTo(1);
    }
  }
}
