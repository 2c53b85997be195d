package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrunc.spec.LinuxCPU;
import io.jrunc.spec.LinuxDeviceCgroup;
import io.jrunc.spec.LinuxMemory;
import io.jrunc.spec.LinuxPids;
import io.jrunc.spec.LinuxResources;
import io.jrunc.testsupport.RequiresRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The systemd driver against a real systemd on cgroup v2 (the VM lane). */
@Timeout(180) // the emulated VM lane is 15-30x slower than the host
@Tag("systemd")
@RequiresRoot("creates scopes and cgroups through systemd")
class SystemdHostTest {
  @BeforeEach
  void onSystemd() {
    Live.assumeLayout(Layout.V2);
    assumeTrue(Files.exists(Path.of("/run/systemd/private")), "needs systemd as PID 1 (/run/systemd/private); runs in the VM lane");
  }

  static String systemctl(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("systemctl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }

  @Test
  void transientScopeWithLimitsAndRemoval() throws Exception {
    String id = Live.randomId();
    LinuxResources r = new LinuxResources(
        DeviceRule.withRuncDefaults(List.of(new LinuxDeviceCgroup(false, null, null, null, "rwm"))),
        new LinuxMemory(64L << 20, null, null, null, null, null, null, null, null),
        new LinuxCPU(512L, 20000L, null, 100000L, null, null, null, null, null), new LinuxPids(32L), null, null, null, null,
        Map.of("memory.high", "50000000"));
    CgroupManager m = Cgroups.create(new CgroupConfig(id, "system.slice:jrunc:" + id, r, true, false));
    Path dir = Path.of("/sys/fs/cgroup/system.slice/jrunc-" + id + ".scope");
    assertThat(m.paths()).containsEntry("", dir.toString());
    assertThat(m.cloneIntoCgroupPath()).isEmpty();
    Process p = new ProcessBuilder("sleep", "100").start();
    try {
      m.create();
      m.addProcess((int) p.pid());
      assertThat(Live.procCgroup(p.pid())).contains("0::/system.slice/jrunc-" + id + ".scope");
      assertThat(Files.readString(dir.resolve("memory.max")).strip()).isEqualTo(Long.toString(64L << 20));
      assertThat(Files.readString(dir.resolve("pids.max")).strip()).isEqualTo("32");
      assertThat(Files.readString(dir.resolve("cpu.max")).strip()).isEqualTo("20000 100000");
      assertThat(Files.readString(dir.resolve("memory.high")).strip()).isEqualTo("49999872");
      String show = systemctl("show", "jrunc-" + id + ".scope", "-p", "Delegate,Slice,MemoryMax,TasksMax,ActiveState");
      assertThat(show).contains("Delegate=yes", "Slice=system.slice", "MemoryMax=67108864", "TasksMax=32", "ActiveState=active");

      CgroupManager again = Cgroups.reopen(Map.copyOf(m.state()));
      again.update(new LinuxResources(null, null, null, new LinuxPids(16L), null, null, null, null, null));
      assertThat(Files.readString(dir.resolve("pids.max")).strip()).isEqualTo("16");
      assertThat(systemctl("show", "jrunc-" + id + ".scope", "-p", "TasksMax")).contains("TasksMax=16");
      again.freeze();
      assertThat(again.isFrozen()).isTrue();
      again.thaw();
      again.destroy();
      assertThat(p.waitFor()).isEqualTo(137);
      assertThat(dir).doesNotExist();
      assertThat(systemctl("is-active", "jrunc-" + id + ".scope").strip()).isNotEqualTo("active");
    } finally {
      p.destroyForcibly();
      try {
        m.destroy();
      } catch (CgroupException ignored) {
        // already gone
      }
    }
  }
}
