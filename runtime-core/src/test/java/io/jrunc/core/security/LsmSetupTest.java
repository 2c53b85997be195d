package io.jrunc.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
import io.jrunc.spec.Linux;
import io.jrunc.spec.Process;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class LsmSetupTest {
  static final LsmSetup.Host NONE = new LsmSetup.Host(false, false, false);
  static final LsmSetup.Host APPARMOR = new LsmSetup.Host(true, true, false);
  static final LsmSetup.Host OLD_APPARMOR = new LsmSetup.Host(true, false, false);
  static final LsmSetup.Host SELINUX = new LsmSetup.Host(false, false, true);

  static Process process(String apparmor, String selinux) {
    return new Process(null, null, null, List.of("sh"), null, null, "/", null, null, null, apparmor, null, null,
        selinux, null, null);
  }

  static Linux linux(String mountLabel) {
    return new Linux(null, null, null, null, null, null, null, null, null, null, null, null, mountLabel, null, null,
        null, null);
  }

  @Test
  void thisHostHasNeitherLsm() {
    LsmSetup.Host h = LsmSetup.Host.detect();
    assertThat(h.apparmor()).isFalse();
    assertThat(h.selinux()).isFalse();
  }

  @Test
  void nothingAskedNothingDone() {
    LsmSetup.Plan p = LsmSetup.plan(process(null, ""), linux(null), NONE);
    assertThat(p.empty()).isTrue();
    try (ProgramBuilder b = new ProgramBuilder()) {
      assertThat(LsmSetup.emitBeforeExec(b, p)).isEmpty();
    }
    assertThat(LsmSetup.mountData("mode=755", p)).isEqualTo("mode=755");
  }

  @Test
  void profilesAndLabelsNeedTheirLsm() {
    assertThatThrownBy(() -> LsmSetup.plan(process("docker-default", null), null, NONE))
        .isInstanceOf(SecurityConfigException.class)
        .hasMessage("process.apparmorProfile: apparmor profile \"docker-default\" specified but AppArmor is not enabled on this system");
    assertThat(LsmSetup.plan(process("unconfined", null), null, NONE).empty()).isTrue();
    assertThatThrownBy(() -> LsmSetup.plan(process(null, "system_u:system_r:container_t:s0"), null, APPARMOR))
        .hasMessage("process.selinuxLabel: selinux label is specified in config, but selinux is disabled or not supported");
    // runc ignores the mount label without SELinux
    assertThat(LsmSetup.plan(null, linux("system_u:object_r:container_file_t:s0"), NONE).mountLabel()).isNull();
  }

  @Test
  void apparmorWritesExecProfileToItsAttrFile() {
    for (var host : List.of(APPARMOR, OLD_APPARMOR)) {
      LsmSetup.Plan p = LsmSetup.plan(process("docker-default", null), null, host);
      try (ProgramBuilder b = new ProgramBuilder()) {
        List<Step> steps = LsmSetup.emitBeforeExec(b, p);
        ChildProgram prog = b.build();
        assertThat(steps).hasSize(3);
        assertThat(Programs.nr(prog, 0)).isEqualTo(257); // openat
        assertThat(Programs.arg(prog, 0, 0)).isEqualTo(-100);
        String path = MemorySegment.ofAddress(Programs.arg(prog, 0, 1)).reinterpret(100).getString(0);
        assertThat(path).isEqualTo(host.apparmorAttrDir() ? "/proc/thread-self/attr/apparmor/exec"
            : "/proc/thread-self/attr/exec");
        assertThat(Programs.arg(prog, 0, 2)).isEqualTo(01 | 02000000);
        assertThat(Programs.nr(prog, 1)).isEqualTo(1); // write
        long len = Programs.arg(prog, 1, 2);
        byte[] written = Programs.at(prog, 1, 1, len).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        assertThat(new String(written, StandardCharsets.UTF_8)).isEqualTo("exec docker-default");
        assertThat(Programs.nr(prog, 2)).isEqualTo(3); // close
        assertThat(steps.get(1).description()).isEqualTo("apply AppArmor profile docker-default: write " + path);
      }
    }
  }

  @Test
  void selinuxLabelAndMountContext() {
    LsmSetup.Plan p = LsmSetup.plan(process(null, "system_u:system_r:container_t:s0:c1,c2"),
        linux("system_u:object_r:container_file_t:s0:c1,c2"), SELINUX);
    try (ProgramBuilder b = new ProgramBuilder()) {
      List<Step> steps = LsmSetup.emitBeforeExec(b, p);
      ChildProgram prog = b.build();
      assertThat(steps).hasSize(3);
      long len = Programs.arg(prog, 1, 2);
      assertThat(new String(Programs.at(prog, 1, 1, len).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)))
          .isEqualTo("system_u:system_r:container_t:s0:c1,c2");
    }
    assertThat(LsmSetup.mountData("mode=755,size=65536k", p))
        .isEqualTo("mode=755,size=65536k,context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
    assertThat(LsmSetup.mountData(null, p)).isEqualTo("context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
  }
}
