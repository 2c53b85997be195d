package io.jrunc.shim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.jrunc.core.api.CreateOptions;
import io.jrunc.shim.proto.RuncOptions;
import io.jrunc.shim.proto.RuntimeOptions;
import io.jrunc.shim.ttrpc.RpcException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CreateTaskRequest.options as containerd and its clients send them, and the driver a bundle's cgroupsPath implies. */
class TaskOptionsTest {
  @TempDir Path dir;

  @Test
  void noOptionsNameNothing() throws Exception {
    assertThat(TaskOptions.of(null, "create x")).isEqualTo(TaskOptions.NONE);
    assertThat(TaskOptions.of(Any.getDefaultInstance(), "create x")).isEqualTo(TaskOptions.NONE);
    // containerd 1.6's CRI for a runtime with an options section but no config_path
    assertThat(TaskOptions.of(runtimeOptions(RuntimeOptions.getDefaultInstance()), "create x")).isEqualTo(TaskOptions.NONE);
  }

  @Test
  void theDriverFollowsTheCgroupsPathWhenNoOptionNamesIt() throws Exception {
    // containerd's CRI under a kubelet with the systemd driver, and Docker's systemd driver
    assertThat(applied(TaskOptions.NONE, "kubepods-besteffort-pod1234.slice:cri-containerd:abc").systemdCgroup()).isTrue();
    assertThat(applied(TaskOptions.NONE, "system.slice:docker:abc").systemdCgroup()).isTrue();
    assertThat(applied(TaskOptions.NONE, ":jrunc:abc").systemdCgroup()).isTrue();
    // cgroupfs paths: containerd's default, the CRI under a cgroupfs kubelet, none at all
    assertThat(applied(TaskOptions.NONE, "/default/abc").systemdCgroup()).isFalse();
    assertThat(applied(TaskOptions.NONE, "/kubepods/besteffort/pod1234/abc").systemdCgroup()).isFalse();
    assertThat(applied(TaskOptions.NONE, "a:b").systemdCgroup()).isFalse();
    assertThat(applied(TaskOptions.NONE, "/a:b:c").systemdCgroup()).isFalse();
    assertThat(applied(TaskOptions.NONE, null).systemdCgroup()).isFalse();
    // an option that names the driver wins: the create then reports what is wrong with the path
    assertThat(applied(new TaskOptions(false, false, false), "system.slice:docker:abc").systemdCgroup()).isFalse();
    assertThat(applied(new TaskOptions(true, false, false), "/default/abc").systemdCgroup()).isTrue();
  }

  @Test
  void anUnreadableConfigLeavesTheDriverToTheCreate() throws Exception {
    Files.writeString(dir.resolve("config.json"), "{not json");
    assertThat(TaskOptions.NONE.applyTo(CreateOptions.bundle(dir), dir).systemdCgroup()).isFalse();
    Path none = dir.resolve("missing");
    assertThat(TaskOptions.NONE.applyTo(CreateOptions.bundle(none), none).systemdCgroup()).isFalse();
  }

  @Test
  void runcOptionsGiveTheDriverAndTheMountFlags() throws Exception {
    TaskOptions o = TaskOptions.of(runcOptions(RuncOptions.newBuilder().setSystemdCgroup(true).setNoPivotRoot(true)
        .setNoNewKeyring(true).setBinaryName("/usr/bin/runc").build()), "create x");
    assertThat(o).isEqualTo(new TaskOptions(true, true, true));
    CreateOptions c = o.applyTo(CreateOptions.bundle(dir), dir);
    assertThat(c.systemdCgroup()).isTrue();
    assertThat(c.noPivot()).isTrue();
    assertThat(c.noNewKeyring()).isTrue();
    assertThat(TaskOptions.of(runcOptions(RuncOptions.getDefaultInstance()), "create x"))
        .isEqualTo(new TaskOptions(false, false, false));
  }

  @Test
  void runcOptionsThisShimDoesNotImplementAreRefused() {
    assertThatThrownBy(() -> TaskOptions.of(runcOptions(RuncOptions.newBuilder().setIoUid(1000).build()), "create x"))
        .isInstanceOf(RpcException.class).hasMessage("create x: runc option IoUid/IoGid (1000/0): owning the I/O pipes by "
            + "another user is not implemented by jrunc's shim")
        .satisfies(e -> assertThat(((RpcException) e).code()).isEqualTo(RpcException.INVALID_ARGUMENT));
    assertThatThrownBy(() -> TaskOptions.of(runcOptions(RuncOptions.newBuilder().setShimCgroup("/shim").build()), "create x"))
        .hasMessage("create x: runc option ShimCgroup /shim: not implemented by jrunc's shim");
  }

  @Test
  void theCrisTomlSectionIsRead() throws Exception {
    // containerd 1.7+: the runtime's whole options section, containerd's own keys included
    String body = "# jrunc\nBinaryName = \"\"\nConfigPath = \"\"\n  SystemdCgroup = true # the kubelet's driver\nNoPivotRoot=false\n";
    assertThat(TaskOptions.of(runtimeOptions(RuntimeOptions.newBuilder().setTypeUrl("x")
        .setConfigBody(ByteString.copyFromUtf8(body)).build()), "create x")).isEqualTo(new TaskOptions(true, false, false));
    assertThat(TaskOptions.fromToml("\"NoNewKeyring\" = true\n", "create x", "here")).isEqualTo(new TaskOptions(null, false, true));
    assertThat(TaskOptions.fromToml("", "create x", "here")).isEqualTo(TaskOptions.NONE);
    // multi-line values are skipped whole; a table's keys are not the section's
    assertThat(TaskOptions.fromToml("Args = [\n  \"--a\",\n  \"SystemdCgroup = x\",\n]\nNote = \"\"\"\nNoPivotRoot = maybe\n\"\"\"\n"
        + "NoPivotRoot = true\n[Sub]\nSystemdCgroup = true\n", "create x", "here")).isEqualTo(new TaskOptions(null, true, false));
    assertThatThrownBy(() -> TaskOptions.fromToml("SystemdCgroup = \"yes\"\n", "create x", "here"))
        .hasMessage("create x: here: SystemdCgroup = \"yes\": expected true or false");
    assertThatThrownBy(() -> TaskOptions.fromToml("SystemdCgroup\n", "create x", "here"))
        .hasMessage("create x: here: not a TOML key = value line: SystemdCgroup");
  }

  @Test
  void aConfigPathIsReadBoundedAndAFifoIsRefused() throws Exception {
    Path toml = dir.resolve("jrunc.toml");
    Files.writeString(toml, "SystemdCgroup = false\n");
    assertThat(TaskOptions.of(runtimeOptions(RuntimeOptions.newBuilder().setConfigPath(toml.toString()).build()), "create x"))
        .isEqualTo(new TaskOptions(false, false, false));
    Path fifo = dir.resolve("fifo");
    new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
    assertThatThrownBy(() -> TaskOptions.of(runtimeOptions(RuntimeOptions.newBuilder().setConfigPath(fifo.toString()).build()),
        "create x")).isInstanceOf(RpcException.class)
        .hasMessageStartingWith("create x: runtime options config_path " + fifo + ": ")
        .hasMessageContaining("not a regular file");
    assertThatThrownBy(() -> TaskOptions.of(runtimeOptions(RuntimeOptions.newBuilder()
        .setConfigPath(dir.resolve("absent.toml").toString()).build()), "create x"))
        .hasMessageStartingWith("create x: runtime options config_path " + dir.resolve("absent.toml"));
  }

  @Test
  void otherOptionTypesAreRefused() {
    assertThatThrownBy(() -> TaskOptions.of(Any.newBuilder().setTypeUrl("runhcs.v1.Options").build(), "create x"))
        .isInstanceOf(RpcException.class)
        .hasMessage("create x: runtime options of type runhcs.v1.Options are not understood by jrunc's shim (it takes "
            + "runtimeoptions.v1.Options and containerd.runc.v1.Options)");
    assertThatThrownBy(() -> TaskOptions.of(Any.newBuilder().setTypeUrl(TaskOptions.RUNC_OPTIONS)
        .setValue(ByteString.copyFrom(new byte[] {(byte) 0xff})).build(), "create x"))
        .hasMessageStartingWith("create x: runtime options of type containerd.runc.v1.Options: ");
  }

  private CreateOptions applied(TaskOptions o, String cgroupsPath) throws Exception {
    String linux = cgroupsPath == null ? "{}" : "{\"cgroupsPath\":\"" + cgroupsPath + "\"}";
    Files.writeString(dir.resolve("config.json"), "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"linux\":" + linux + "}");
    return o.applyTo(CreateOptions.bundle(dir), dir);
  }

  private static Any runcOptions(RuncOptions o) {
    return Any.newBuilder().setTypeUrl(TaskOptions.RUNC_OPTIONS).setValue(o.toByteString()).build();
  }

  private static Any runtimeOptions(RuntimeOptions o) {
    return Any.newBuilder().setTypeUrl("type.googleapis.com/" + TaskOptions.RUNTIME_OPTIONS).setValue(o.toByteString()).build();
  }
}
