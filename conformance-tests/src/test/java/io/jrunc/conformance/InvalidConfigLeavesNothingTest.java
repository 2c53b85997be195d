package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.CreateOptions;
import io.jrunc.core.api.InvalidConfigException;
import io.jrunc.testsupport.RequiresRoot;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * create's pipeline on the real kernel: a config error comes out of validate or plan, before
 * anything exists. For each invalid config, create throws {@link InvalidConfigException} naming
 * the field, and leaves nothing behind, checked from the host: no state directory (so no exec
 * fifo, no notify directory), no directory of the cgroupsPath or of its parent on any
 * hierarchy, no process of the container (no new child of this JVM, no process in the cgroup
 * parent).
 *
 * <p>The cgroup parent is one of this test's own and does not exist before create: the old
 * create, which made the cgroup (with its parent) and then failed, removed the leaf only if its
 * manager remembered the parent; the check is on both, and on every hierarchy.
 */
@RequiresRoot("creates containers: cgroups, namespaces")
class InvalidConfigLeavesNothingTest {
  private static final String PARENT = "pipeline-invalid-" + ProcessHandle.current().pid();

  @TempDir Path tmp;

  static Stream<Arguments> invalidConfigs() {
    return Stream.of(
        bad("sysctl not namespaced", "vm.swappiness", c -> linux(c).putObject("sysctl").put("vm.swappiness", "10")),
        bad("sysctl of a namespace the container lacks", "kernel.hostname",
            c -> { removeNamespace(c, "uts"); linux(c).putObject("sysctl").put("kernel.hostname", "x"); }),
        bad("mount inside /proc", "/proc/bogus",
            c -> mounts(c).addObject().put("destination", "/proc/bogus").put("type", "tmpfs").put("source", "tmpfs")),
        bad("bind mount without a source", "bind source",
            c -> mounts(c).addObject().put("destination", "/mnt").put("type", "bind")
                .put("source", "/nonexistent-pipeline-source").putArray("options").add("rbind")),
        bad("hugepage size", "hugepageLimits",
            c -> resources(c).putArray("hugepageLimits").addObject().put("pageSize", "3XB").put("limit", 1024)),
        bad("cpu quota below the kernel's minimum", "/linux/resources/cpu/quota",
            c -> resources(c).putObject("cpu").put("quota", 500).put("period", 100000)),
        bad("memory swap below the limit", "memory",
            c -> resources(c).putObject("memory").put("limit", 64L << 20).put("swap", 32L << 20)),
        bad("unified resources on a cgroup v1 host", "unified",
            c -> resources(c).putObject("unified").put("memory.max", "1000000")),
        bad("uid mapping without a user namespace", "uidMappings",
            c -> linux(c).putArray("uidMappings").addObject().put("containerID", 0).put("hostID", 100000).put("size", 0)),
        bad("unknown namespace", "namespaces",
            c -> ((ArrayNode) linux(c).get("namespaces")).addObject().put("type", "bogus")),
        bad("unknown rlimit", "RLIMIT_BOGUS",
            c -> process(c).putArray("rlimits").addObject().put("type", "RLIMIT_BOGUS").put("hard", 1).put("soft", 1)),
        bad("unknown seccomp action", "seccomp",
            c -> linux(c).putObject("seccomp").put("defaultAction", "SCMP_ACT_BOGUS")),
        bad("relative hook path", "hooks",
            c -> c.putObject("hooks").putArray("createRuntime").addObject().put("path", "relative/hook")),
        bad("systemd cgroupsPath without --systemd-cgroup", "cgroupsPath",
            c -> linux(c).put("cgroupsPath", "system.slice:pipeline:bad")),
        bad("unknown personality domain", "personality",
            c -> linux(c).putObject("personality").put("domain", "BOGUS")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidConfigs")
  void failsBeforeAnythingExists(String name, String named, Consumer<ObjectNode> edit) throws Exception {
    String leaf = "/" + PARENT + "/" + name.replaceAll("[^a-z0-9]+", "-");
    Bundle b = Bundle.busybox(tmp.resolve("bundle")).args("true");
    if (!name.startsWith("systemd")) b.linux().put("cgroupsPath", leaf);
    edit.accept(b.config);
    b.write();
    Path root = tmp.resolve("state");
    ContainerRuntime rt = ContainerRuntime.open(root);
    String id = "pipeline-invalid-" + ProcessHandle.current().pid();
    Set<Long> childrenBefore = children();

    Throwable t = catchThrowable(() -> rt.create(id, CreateOptions.bundle(b.dir)));

    assertThat(t).as(name).isInstanceOf(InvalidConfigException.class).hasMessageContaining(named);
    // every problem with its JSON pointer (RFC 6901) and message, as the CLI prints it
    InvalidConfigException ice = (InvalidConfigException) t;
    assertThat(ice.details()).isNotEmpty().hasSameSizeAs(ice.problems());
    assertThat(ice.details()).allSatisfy(p -> assertThat(p.jsonPointer()).satisfiesAnyOf(
        ptr -> assertThat(ptr).isEmpty(), ptr -> assertThat(ptr).startsWith("/")));
    assertThat(root.resolve(id)).as("state directory (and its exec fifo)").doesNotExist();
    assertThat(rt.list()).doesNotContain(id);
    assertThat(cgroupDirs(PARENT)).as("cgroup parent on any hierarchy").isEmpty();
    assertThat(children()).as("children of this JVM").isSubsetOf(childrenBefore);
    assertThat(processesUnder(PARENT)).as("processes in the cgroup parent").isEmpty();
  }

  /** The planner alone (what the AOT training calls) makes nothing, and plans a valid config. */
  @Test
  void planMakesNothing() throws Exception {
    Bundle b = Bundle.busybox(tmp.resolve("bundle")).args("true");
    b.linux().put("cgroupsPath", "/" + PARENT + "/plan");
    b.write();
    Path root = tmp.resolve("state");
    ContainerRuntime rt = ContainerRuntime.open(root);
    String id = "pipeline-plan-" + ProcessHandle.current().pid();
    Set<Long> childrenBefore = children();
    String summary = rt.plan(id, CreateOptions.bundle(b.dir));
    assertThat(summary).contains(id).contains("/bin/true");
    assertThat(root.resolve(id)).doesNotExist();
    assertThat(cgroupDirs(PARENT)).isEmpty();
    assertThat(children()).isSubsetOf(childrenBefore);
    b.linux().putObject("sysctl").put("vm.swappiness", "10");
    b.write();
    assertThat(catchThrowable(() -> rt.plan(id, CreateOptions.bundle(b.dir))))
        .isInstanceOf(InvalidConfigException.class).hasMessageContaining("vm.swappiness");
  }

  @AfterEach
  void removeCgroups() throws IOException {
    // a failing case (the old create) may leave them: never leave cgroups on the machine
    for (Path p : cgroupDirs(PARENT)) {
      try (Stream<Path> s = Files.walk(p)) {
        for (Path d : s.filter(Files::isDirectory).sorted((x, y) -> y.getNameCount() - x.getNameCount()).toList()) {
          Files.deleteIfExists(d);
        }
      }
    }
  }

  private static Arguments bad(String name, String named, Consumer<ObjectNode> edit) {
    return Arguments.of(name, named, edit);
  }

  private static ObjectNode linux(ObjectNode c) {
    return (ObjectNode) c.get("linux");
  }

  private static ObjectNode process(ObjectNode c) {
    return (ObjectNode) c.get("process");
  }

  private static ObjectNode resources(ObjectNode c) {
    return linux(c).with("resources");
  }

  private static ArrayNode mounts(ObjectNode c) {
    return (ArrayNode) c.get("mounts");
  }

  private static void removeNamespace(ObjectNode c, String type) {
    ArrayNode ns = (ArrayNode) linux(c).get("namespaces");
    for (int i = ns.size() - 1; i >= 0; i--) if (ns.get(i).get("type").asText().equals(type)) ns.remove(i);
  }

  private static Set<Long> children() {
    return ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
  }

  /** Every directory named {@code name} at the top of a cgroup hierarchy (v1, hybrid or v2). */
  static List<Path> cgroupDirs(String name) throws IOException {
    List<Path> out = new ArrayList<>();
    Path root = Path.of("/sys/fs/cgroup");
    if (Files.isDirectory(root.resolve(name))) out.add(root.resolve(name));
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
      for (Path h : ds) {
        if (Files.isDirectory(h) && !Files.isSymbolicLink(h) && Files.isDirectory(h.resolve(name))) out.add(h.resolve(name));
      }
    }
    return out;
  }

  /** Pids whose /proc/PID/cgroup names a cgroup under {@code /name}. */
  private static List<Long> processesUnder(String name) throws IOException {
    List<Long> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path p : ds) {
        try {
          if (Files.readString(p.resolve("cgroup")).contains(":/" + name + "/")) out.add(Long.parseLong(p.getFileName().toString()));
        } catch (IOException e) {
          // gone meanwhile
        }
      }
    }
    return out;
  }
}
