package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CgroupPathsTest {
  static final Path ROOT = Path.of("/sys/fs/cgroup");

  @Test
  void cleaningNeverEscapes() {
    assertThat(CgroupPaths.clean("/a/../../b")).isEqualTo("/b");
    assertThat(CgroupPaths.clean("../../etc")).isEqualTo("etc");
    assertThat(CgroupPaths.clean("a//b/./c/")).isEqualTo("a/b/c");
    assertThat(CgroupPaths.clean("")).isEmpty();
    assertThat(CgroupPaths.clean(null)).isEmpty();
  }

  @Test
  void innerDefaultsToTheIdRelative() throws Exception {
    assertThat(CgroupPaths.inner(null, "c1")).isEqualTo("c1");
    assertThat(CgroupPaths.inner("/x/y", "c1")).isEqualTo("/x/y");
    assertThatThrownBy(() -> CgroupPaths.inner("/", "c1")).hasMessageContaining("linux.cgroupsPath: \"/\" is the root cgroup");
  }

  @Test
  void v1AbsoluteIsUnderEachMountRelativeIsUnderOwnCgroup() throws Exception {
    CgroupMounts m = CgroupMounts.parse(CgroupMountsTest.HYBRID, ROOT);
    Map<String, String> self = CgroupMounts.parseProcCgroup("4:memory:/process_api/abc\n1:cpu:/\n0::/\n");
    Map<String, Path> abs = CgroupPaths.v1(m, self, "/jrunc-test/x");
    assertThat(abs.get("memory")).isEqualTo(Path.of("/sys/fs/cgroup/memory/jrunc-test/x"));
    assertThat(abs.get("name=systemd")).isEqualTo(Path.of("/sys/fs/cgroup/systemd/jrunc-test/x"));
    assertThat(abs.get("unified")).isEqualTo(Path.of("/sys/fs/cgroup/unified/jrunc-test/x"));
    Map<String, Path> rel = CgroupPaths.v1(m, self, "c1");
    assertThat(rel.get("memory")).isEqualTo(Path.of("/sys/fs/cgroup/memory/process_api/abc/c1"));
    assertThat(rel.get("cpu")).isEqualTo(Path.of("/sys/fs/cgroup/cpu/c1"));
  }

  @Test
  void v1RelativeStripsTheMountRoot() throws Exception {
    CgroupMounts m = CgroupMounts.parse(CgroupMountsTest.V1_COMOUNT, ROOT);
    Map<String, String> self = CgroupMounts.parseProcCgroup("3:memory:/docker/abc/sub\n");
    assertThat(CgroupPaths.v1(m, self, "c1").get("memory")).isEqualTo(Path.of("/sys/fs/cgroup/memory/sub/c1"));
  }

  @Test
  void v2RelativeGoesBesideOwnCgroup() throws Exception {
    CgroupMounts m = CgroupMounts.parse(CgroupMountsTest.V2, ROOT);
    Map<String, String> self = CgroupMounts.parseProcCgroup("0::/user.slice/user-0.slice/session-1.scope\n");
    assertThat(CgroupPaths.v2(m, self, "c1")).isEqualTo(Path.of("/sys/fs/cgroup/user.slice/user-0.slice/c1"));
    assertThat(CgroupPaths.v2(m, self, "/machine/c1")).isEqualTo(Path.of("/sys/fs/cgroup/machine/c1"));
    assertThat(CgroupPaths.v2(m, CgroupMounts.parseProcCgroup("0::/\n"), "c1")).isEqualTo(Path.of("/sys/fs/cgroup/c1"));
  }

  @Test
  void ownIsTheCgroupTheProcessIsIn() throws Exception {
    CgroupMounts v1 = CgroupMounts.parse(CgroupMountsTest.HYBRID, ROOT);
    Map<String, Path> own = CgroupPaths.own(v1, CgroupMounts.parseProcCgroup("4:memory:/process_api/abc\n1:cpu:/\n0::/u\n"));
    assertThat(own.get("memory")).isEqualTo(Path.of("/sys/fs/cgroup/memory/process_api/abc"));
    assertThat(own.get("cpu")).isEqualTo(Path.of("/sys/fs/cgroup/cpu"));
    assertThat(own.get("unified")).isEqualTo(Path.of("/sys/fs/cgroup/unified/u"));
    CgroupMounts v2 = CgroupMounts.parse(CgroupMountsTest.V2, ROOT);
    // v2: the own cgroup itself, not its parent as for a new container's cgroup
    assertThat(CgroupPaths.own(v2, CgroupMounts.parseProcCgroup("0::/user.slice/user-1000.slice/session-1.scope\n")))
        .containsExactly(Map.entry("", Path.of("/sys/fs/cgroup/user.slice/user-1000.slice/session-1.scope")));
  }

  /** Where an exec goes when the container's own v2 cgroup refuses it: init's, from its /proc line. */
  @Test
  void v2DirOfAProcessIsItsUnifiedPathUnderTheMount() throws Exception {
    CgroupMounts v2 = CgroupMounts.parse(CgroupMountsTest.V2, ROOT);
    assertThat(CgroupPaths.v2DirOf(v2, "/jrunc-vm/c1/init")).isEqualTo(Path.of("/sys/fs/cgroup/jrunc-vm/c1/init"));
    assertThat(CgroupPaths.v2DirOf(v2, "/")).isEqualTo(Path.of("/sys/fs/cgroup"));
    CgroupMounts hybrid = CgroupMounts.parse(CgroupMountsTest.HYBRID, ROOT);
    assertThat(CgroupPaths.v2DirOf(hybrid, "/c1/init")).isEqualTo(Path.of("/sys/fs/cgroup/unified/c1/init"));
  }

  @Test
  void factoryRefusesSystemdPathWithoutSystemdDriver() throws Exception {
    CgroupHost host = new CgroupHost(ROOT, CgroupMountsTest.V2, "0::/\n");
    assertThatThrownBy(() -> Cgroups.create(new CgroupConfig("c1", "system.slice:jrunc:c1", null, false, false), host))
        .hasMessageContaining("run with --systemd-cgroup");
    assertThatThrownBy(() -> Cgroups.create(new CgroupConfig("c1", "system.slice:jrunc:c1", null, true, false),
        new CgroupHost(ROOT, CgroupMountsTest.HYBRID, "0::/\n")))
        .hasMessageContaining("cgroup v2 hosts only");
    CgroupManager s = Cgroups.create(new CgroupConfig("c1", "machine.slice:pfx:c1", null, true, false), host);
    assertThat(s.paths()).containsEntry("", "/sys/fs/cgroup/machine.slice/pfx-c1.scope");
  }

  @Test
  void slicePrefixNameIsTheRegexItReplaces() {
    for (String p : java.util.List.of("system.slice:docker:abc", "::", ":a:", "a:b", "a:b:c:d", "/a:b:c", "a:b/c:d",
        "", "abc", "user.slice:podman:", "/kubepods/pod1/c", "a/b")) {
      assertThat(io.jrunc.spec.Linux.isSystemdCgroupsPath(p)).as(p)
          .isEqualTo(p.matches("[^/:]*:[^/:]*:[^/:]*"));
    }
  }
}
