package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrunc.core.api.Container;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.CreateOptions;
import io.jrunc.core.api.SetupException;
import io.jrunc.testsupport.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The six hooks: when they run, in which namespaces, with the state on stdin, and failures. */
@RequiresRoot("runs containers with namespaces and cgroups")
@Timeout(120) // a hook that blocks the runtime must fail the test, not hang the build
class HooksTest {
  @TempDir Path tmp;

  private static void hook(ObjectNode hooks, String phase, String path, String... args) {
    ArrayNode arr = hooks.has(phase) ? (ArrayNode) hooks.get(phase) : hooks.putArray(phase);
    ObjectNode h = arr.addObject().put("path", path);
    ArrayNode a = h.putArray("args");
    a.add(path);
    for (String s : args) a.add(s);
    h.putArray("env").add("PATH=/bin:/usr/bin");
  }

  private static Path script(Path p, String body) throws Exception {
    Files.createDirectories(p.getParent());
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  @Test
  void everyHookRunsAtItsPointInItsNamespaces() throws Exception {
    Path out = tmp.resolve("out");
    Files.createDirectories(out);
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("true");
    // host-side hook: records its phase, the state it got, and its mount namespace
    Path host = script(tmp.resolve("hook.sh"), "cat > " + out + "/$1.json; readlink /proc/self/ns/mnt > " + out + "/$1.mnt");
    // container-side hook for startContainer: its path resolves inside the rootfs
    script(b.dir.resolve("rootfs/bin/inside-hook"), "cat > /tmp/startContainer.json; readlink /proc/self/ns/mnt > /tmp/startContainer.mnt");
    ((ObjectNode) b.config.get("root")).put("readonly", false); // the inside hook writes to /tmp
    ObjectNode hooks = b.config.putObject("hooks");
    for (String phase : new String[] {"prestart", "createRuntime", "createContainer", "poststart", "poststop"}) {
      hook(hooks, phase, host.toString(), phase);
    }
    hook(hooks, "startContainer", "/bin/inside-hook");
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    String id = "hooks-" + ProcessHandle.current().pid();
    Container c = rt.create(id, CreateOptions.bundle(b.write()));
    String hostMnt = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
    String ctrMnt = Files.readSymbolicLink(Path.of("/proc/" + c.pid() + "/ns/mnt")).toString();
    assertThat(Files.readString(out.resolve("createRuntime.mnt")).trim()).isEqualTo(hostMnt);
    assertThat(Files.readString(out.resolve("prestart.mnt")).trim()).isEqualTo(hostMnt);
    assertThat(Files.readString(out.resolve("createContainer.mnt")).trim()).isEqualTo(ctrMnt);
    JsonNode st = Bundle.node(Files.readString(out.resolve("createRuntime.json")));
    assertThat(st.get("id").asText()).isEqualTo(id);
    assertThat(st.get("pid").asInt()).isEqualTo(c.pid());
    assertThat(st.get("bundle").asText()).isEqualTo(b.dir.toString());
    assertThat(Files.exists(out.resolve("poststart.json"))).isFalse();
    c.start();
    assertThat(Files.readString(b.dir.resolve("rootfs/tmp/startContainer.mnt")).trim()).isEqualTo(ctrMnt);
    assertThat(Bundle.node(Files.readString(out.resolve("poststart.json"))).get("status").asText()).isEqualTo("running");
    c.waitFor();
    assertThat(Files.exists(out.resolve("poststop.json"))).isFalse();
    c.delete(false);
    assertThat(Bundle.node(Files.readString(out.resolve("poststop.json"))).get("status").asText()).isEqualTo("stopped");
  }

  @Test
  void failingCreateRuntimeHookStopsCreateAndCleansUp() throws Exception {
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("true");
    Path bad = script(tmp.resolve("bad.sh"), "echo broken >&2; exit 3");
    hook(b.config.putObject("hooks"), "createRuntime", bad.toString());
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    String id = "hookfail-" + ProcessHandle.current().pid();
    assertThatThrownBy(() -> rt.create(id, CreateOptions.bundle(b.write())))
        .isInstanceOf(SetupException.class)
        .hasMessageContaining("createRuntime hook #0")
        .hasMessageContaining("exit status 3")
        .hasMessageContaining("broken");
    assertThat(rt.list()).doesNotContain(id);
  }

  @Test
  void hookThatIgnoresStdinAndTimeouts() throws Exception {
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("true");
    Path quick = script(tmp.resolve("quick.sh"), "exit 0");
    Path slow = script(tmp.resolve("slow.sh"), "sleep 30");
    ObjectNode hooks = b.config.putObject("hooks");
    hook(hooks, "createRuntime", quick.toString());
    hook(hooks, "createRuntime", slow.toString());
    ((ObjectNode) hooks.get("createRuntime").get(1)).put("timeout", 1);
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    String id = "hooktimeout-" + ProcessHandle.current().pid();
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> rt.create(id, CreateOptions.bundle(b.write())))
        .hasMessageContaining("createRuntime hook #1").hasMessageContaining("hook ran past specified timeout of 1.0s");
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(10_000);
  }

  /**
   * A startContainer hook runs confined as the container's process is (runc runs it from its
   * init, after the user switch and the no_new_privs filter): a syscall the profile kills
   * kills the hook, and start fails with runc's words.
   */
  @Test
  void startContainerHookRunsUnderTheContainersSeccompFilter() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("true");
    b.process().put("noNewPrivileges", true);
    ObjectNode sc = b.linux().putObject("seccomp").put("defaultAction", "SCMP_ACT_ALLOW");
    ObjectNode kill = sc.putArray("syscalls").addObject().put("action", "SCMP_ACT_KILL");
    kill.putArray("names").add("mkdir").add("mkdirat");
    ObjectNode h = b.config.putObject("hooks").putArray("startContainer").addObject().put("path", "/bin/sh");
    h.putArray("args").add("sh").add("-c").add("mkdir /dev/shm/foo");
    var r = j.run("run", "--bundle", b.write().toString(), "sch");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("error running startContainer hook #0:", "bad system call");
    assertThat(j.run("list", "-q").out()).isEmpty();
  }
}
