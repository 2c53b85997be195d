package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.api.Container;
import io.jrunc.core.api.ContainerExistsException;
import io.jrunc.core.api.ContainerNotFoundException;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.ContainerStatus;
import io.jrunc.core.api.CreateOptions;
import io.jrunc.core.api.InvalidStateException;
import io.jrunc.core.api.SetupException;
import io.jrunc.core.api.Stdio;
import io.jrunc.testsupport.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java API on the real kernel: create, start, wait, state, delete, checked from inside. */
class ApiLifecycleTest {
  @TempDir Path tmp;

  private ContainerRuntime runtime() {
    return ContainerRuntime.open(tmp.resolve("state"));
  }

  private static String id(String name) {
    return "api-" + name + "-" + ProcessHandle.current().pid();
  }

  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void runsIsolatedAndReportsStatus() throws Exception {
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh(
        "echo pid=$$; echo host=$(hostname); echo uid=$(id -u); grep -c . /proc/self/mounts >/dev/null && echo proc=ok; exit 3");
    b.config.put("hostname", "jrunc-test");
    ContainerRuntime rt = runtime();
    String id = id("run");
    Path out = tmp.resolve("out");
    Container c = rt.create(id, CreateOptions.bundle(b.write())
        .withStdio(new Stdio(new Stdio.Inherit(), new Stdio.ToFile(out), new Stdio.Inherit())));
    assertThat(c.status()).isEqualTo(ContainerStatus.CREATED);
    assertThat(c.state().pid()).isEqualTo(c.pid());
    assertThat(Files.readString(Path.of("/proc/" + c.pid() + "/comm")).trim()).isNotEqualTo("sh"); // not exec'd yet
    c.start();
    assertThat(c.waitFor()).isEqualTo(3);
    assertThat(c.status()).isEqualTo(ContainerStatus.STOPPED);
    assertThat(Files.readString(out)).isEqualTo("pid=1\nhost=jrunc-test\nuid=0\nproc=ok\n");
    c.delete(false);
    assertThatThrownBy(() -> rt.get(id)).isInstanceOf(ContainerNotFoundException.class)
        .hasMessage("container does not exist");
  }

  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void capabilitiesAndNoNewPrivsAreExactlyTheConfigs() throws Exception {
    // runc's default spec: CAP_AUDIT_WRITE (29), CAP_KILL (5), CAP_NET_BIND_SERVICE (10)
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh("grep -E '^(Cap|NoNewPrivs|Seccomp:)' /proc/self/status");
    Path out = tmp.resolve("out");
    ContainerRuntime rt = runtime();
    Container c = rt.create(id("caps"), CreateOptions.bundle(b.write())
        .withStdio(new Stdio(new Stdio.Inherit(), new Stdio.ToFile(out), new Stdio.Inherit())));
    c.start();
    assertThat(c.waitFor()).isZero();
    c.delete(false);
    assertThat(Files.readString(out)).isEqualTo("""
        CapInh:	0000000000000000
        CapPrm:	0000000020000420
        CapEff:	0000000020000420
        CapBnd:	0000000020000420
        CapAmb:	0000000000000000
        NoNewPrivs:	1
        Seccomp:	0
        """);
  }

  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void duplicateIdAndWrongStates() throws Exception {
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("sleep", "30");
    ContainerRuntime rt = runtime();
    String id = id("dup");
    Container c = rt.create(id, CreateOptions.bundle(b.write()));
    try {
      assertThatThrownBy(() -> rt.create(id, CreateOptions.bundle(b.dir)))
          .isInstanceOf(ContainerExistsException.class).hasMessage("container with given ID already exists");
      c.start();
      assertThat(c.status()).isEqualTo(ContainerStatus.RUNNING);
      assertThatThrownBy(c::start).isInstanceOf(InvalidStateException.class);
      assertThatThrownBy(() -> c.delete(false)).isInstanceOf(InvalidStateException.class)
          .hasMessageContaining("not stopped: running");
      // pid 1 of a pid namespace ignores signals it has no handler for: SIGKILL it is
      c.kill(9);
      assertThat(c.waitFor()).isEqualTo(128 + 9);
      assertThatThrownBy(() -> c.kill(15)).hasMessage("container not running");
    } finally {
      c.delete(true);
    }
  }

  /**
   * From create on, init is in the container's cgroup in every hierarchy the runtime itself is
   * in (on v1 and hybrid it joins by itself, CgroupManager.selfJoin; in a new user namespace the
   * parent moves it), and a cgroup namespace is rooted there: the container sees "/" everywhere.
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void initIsInItsCgroupEverywhereAndACgroupNamespaceIsRootedThere() throws Exception {
    java.util.List<String> hierarchies = Files.readAllLines(Path.of("/proc/self/cgroup"));
    // the rootfs must be reachable for the user namespace's root (the state root stays 0700)
    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    for (boolean userns : new boolean[] {false, true}) {
      Bundle b = Bundle.busybox(tmp.resolve("b" + userns)).sh("cat /proc/self/cgroup").addNamespace("cgroup", null);
      if (userns) {
        b.addNamespace("user", null);
        for (String m : new String[] {"uidMappings", "gidMappings"}) {
          b.linux().putArray(m).addObject().put("containerID", 0).put("hostID", 200000).put("size", 65536);
        }
      }
      String cg = b.linux().get("cgroupsPath").asText();
      Path out = tmp.resolve("out" + userns);
      ContainerRuntime rt = runtime();
      Container c = rt.create(id("cg" + userns), CreateOptions.bundle(b.write())
          .withStdio(new Stdio(new Stdio.Inherit(), new Stdio.ToFile(out), new Stdio.Inherit())));
      try {
        java.util.List<String> init = Files.readAllLines(Path.of("/proc/" + c.pid() + "/cgroup"));
        assertThat(init).as("userns=" + userns).hasSameSizeAs(hierarchies)
            .allSatisfy(l -> assertThat(l).endsWith(":" + cg));
        c.start();
        assertThat(c.waitFor()).isZero();
      } finally {
        c.delete(true);
      }
      assertThat(Files.readAllLines(out)).as("userns=" + userns).hasSameSizeAs(hierarchies)
          .allSatisfy(l -> assertThat(l).endsWith(":/"));
    }
  }

  /**
   * A handle from get() (init is not its child, so no exit status: -1) waits until init exits,
   * told by a pidfd, not a /proc poll; an interrupt ends the wait with an error that says so.
   */
  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void aLoadedHandleWaitsForTheExitAndCanBeInterrupted() throws Exception {
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("sleep", "100");
    ContainerRuntime rt = runtime();
    String id = id("loaded");
    Container c = rt.create(id, CreateOptions.bundle(b.write()));
    var first = java.util.concurrent.Executors.newSingleThreadExecutor();
    var second = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      c.start();
      var interrupted = first.submit(() -> runtime().get(id).waitFor());
      var waiting = second.submit(() -> runtime().get(id).waitFor());
      Thread.sleep(300);
      assertThat(interrupted).isNotDone();
      assertThat(waiting).isNotDone();
      first.shutdownNow();
      assertThatThrownBy(() -> interrupted.get(5, java.util.concurrent.TimeUnit.SECONDS))
          .hasCauseInstanceOf(SetupException.class).hasMessageContaining("interrupted while waiting for " + id);
      assertThat(waiting).isNotDone();
      c.kill(9);
      assertThat(waiting.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(-1);
      assertThat(c.waitFor()).isEqualTo(137);
    } finally {
      first.shutdownNow();
      second.shutdownNow();
      c.delete(true);
    }
  }

  @Test
  void missingExecutableFailsCreateAndLeavesNothing() throws Exception {
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("nonexistent-binary");
    ContainerRuntime rt = runtime();
    String id = id("noexec");
    assertThatThrownBy(() -> rt.create(id, CreateOptions.bundle(b.write())))
        .isInstanceOf(SetupException.class)
        .hasMessage("exec: \"nonexistent-binary\": executable file not found in $PATH");
    assertThat(rt.list()).doesNotContain(id);
  }

  @RequiresRoot("runs containers with namespaces and cgroups")
  @Test
  void failedStepNamesTheOperationAndErrno() throws Exception {
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("true");
    b.config.put("hostname", "x".repeat(100)); // longer than HOST_NAME_MAX: EINVAL from sethostname
    ContainerRuntime rt = runtime();
    String id = id("badhost");
    assertThatThrownBy(() -> rt.create(id, CreateOptions.bundle(b.write())))
        .isInstanceOf(SetupException.class)
        .hasMessageStartingWith("set hostname xxx")
        .hasMessageEndingWith(": invalid argument (EINVAL)");
    assertThat(rt.list()).doesNotContain(id);
  }
}
