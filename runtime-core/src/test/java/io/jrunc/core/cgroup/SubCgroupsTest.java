package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** exec --cgroup against a container's hierarchy paths: runc's checks, no filesystem needed. */
class SubCgroupsTest {
  private static final Map<String, String> V1 = new LinkedHashMap<>();

  static {
    V1.put("memory", "/sys/fs/cgroup/memory/t/ctr");
    V1.put("cpu", "/sys/fs/cgroup/cpu,cpuacct/t/ctr");
    V1.put("cpuacct", "/sys/fs/cgroup/cpu,cpuacct/t/ctr");
    V1.put("unified", "/sys/fs/cgroup/unified/t/ctr");
  }

  @Test
  void aPathWithoutControllerAppliesToEveryHierarchy() throws Exception {
    Map<String, Path> d = SubCgroups.resolve(V1, Map.of("", "a/b"));
    assertThat(d.get("memory")).isEqualTo(Path.of("/sys/fs/cgroup/memory/t/ctr/a/b"));
    assertThat(d.get("cpuacct")).isEqualTo(Path.of("/sys/fs/cgroup/cpu,cpuacct/t/ctr/a/b"));
    assertThat(d.get("unified")).isEqualTo(Path.of("/sys/fs/cgroup/unified/t/ctr/a/b"));
    // "/" and "x/.." are the container's cgroup itself, as Go's path.Join makes them
    assertThat(SubCgroups.resolve(V1, Map.of("", "/")).get("memory")).isEqualTo(Path.of(V1.get("memory")));
    assertThat(SubCgroups.resolve(V1, Map.of("", "x/..")).get("memory")).isEqualTo(Path.of(V1.get("memory")));
    Map<String, Path> v2 = SubCgroups.resolve(Map.of("", "/sys/fs/cgroup/t/ctr"), Map.of("", "/sub"));
    assertThat(v2).containsExactly(Map.entry("", Path.of("/sys/fs/cgroup/t/ctr/sub")));
  }

  @Test
  void perControllerPathsMoveOnlyThatHierarchyCoMountedOnesTogether() throws Exception {
    Map<String, Path> d = SubCgroups.resolve(V1, Map.of("memory", "m", "cpu", "c"));
    assertThat(d.get("memory")).isEqualTo(Path.of("/sys/fs/cgroup/memory/t/ctr/m"));
    assertThat(d.get("cpu")).isEqualTo(Path.of("/sys/fs/cgroup/cpu,cpuacct/t/ctr/c"));
    assertThat(d.get("cpuacct")).isEqualTo(d.get("cpu")); // one directory: the process is in c
    assertThat(d.get("unified")).isEqualTo(Path.of(V1.get("unified")));
    assertThatThrownBy(() -> SubCgroups.resolve(V1, Map.of("cpu", "a", "cpuacct", "b")))
        .hasMessageContaining("share the hierarchy /sys/fs/cgroup/cpu,cpuacct/t/ctr but were given different sub-cgroups");
  }

  @Test
  void escapesAndUnknownControllersAreRefusedInRuncsWords() {
    assertThatThrownBy(() -> SubCgroups.resolve(V1, Map.of("", ".."))).hasMessage("bad sub cgroup path: .. is not a sub cgroup path");
    assertThatThrownBy(() -> SubCgroups.resolve(V1, Map.of("memory", "a/../../x")))
        .hasMessage("bad sub cgroup path: a/../../x is not a sub cgroup path");
    // a sibling that shares the name's prefix is outside too
    assertThatThrownBy(() -> SubCgroups.resolve(V1, Map.of("", "../ctr-b"))).hasMessage("bad sub cgroup path: ../ctr-b is not a sub cgroup path");
    assertThatThrownBy(() -> SubCgroups.resolve(Map.of("", "/sys/fs/cgroup/t/ctr"), Map.of("memory", "m")))
        .hasMessage("unknown controller memory in SubCgroupPaths");
  }
}
