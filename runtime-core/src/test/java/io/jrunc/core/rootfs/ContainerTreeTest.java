package io.jrunc.core.rootfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.process.ExecutableLookup;
import io.jrunc.core.process.ProcessEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executable and HOME are looked up in the tree the container's mounts and masks make, as
 * runc's init looks them up inside the container: not in the image alone.
 */
class ContainerTreeTest {
  @TempDir Path tmp;

  private Path tool(Path dir, String name) throws Exception {
    Files.createDirectories(dir);
    Path f = Files.writeString(dir.resolve(name), "#!/bin/sh\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    return f;
  }

  @Test
  void pathLookupSeesBindMountsAndNotWhatATmpfsHides() throws Exception {
    Path r = Files.createDirectories(tmp.resolve("rootfs"));
    tool(r.resolve("bin"), "echo");
    tool(r.resolve("opt/bin"), "echo"); // hidden by a tmpfs below
    tool(tmp.resolve("tools"), "tool");
    List<String> env = List.of("PATH=/opt/bin:/usr/local/bin:/bin");

    RootfsView v = new RootfsView(r);
    v.fresh("/opt/bin");
    v.bind("/usr/local/bin", tmp.resolve("tools"));
    ContainerTree tree = new ContainerTree(v, List.of());
    List<String> dests = List.of("/opt/bin", "/usr/local/bin");
    assertThat(ExecutableLookup.find(tree, "tool", env, "/", dests)).isEqualTo("/usr/local/bin/tool");
    assertThat(ExecutableLookup.find(tree, "echo", env, "/", dests)).isEqualTo("/bin/echo"); // the next PATH entry
    assertThat(ExecutableLookup.find(tree, "/usr/local/bin/tool", env, "/", dests)).isEqualTo("/usr/local/bin/tool");
    assertThatThrownBy(() -> ExecutableLookup.find(tree, "/usr/local/bin/nope", env, "/", dests)).isInstanceOf(SetupFailure.class)
        .hasMessage("exec: \"/usr/local/bin/nope\": stat /usr/local/bin/nope: no such file or directory");
    // the image alone, as before: the image's /opt/bin/echo, and no tool
    ContainerTree image = ContainerTree.of(r);
    assertThat(ExecutableLookup.find(image, "echo", env, "/", List.of())).isEqualTo("/opt/bin/echo");
    assertThatThrownBy(() -> ExecutableLookup.find(image, "tool", env, "/", List.of()))
        .hasMessage("exec: \"tool\": executable file not found in $PATH");
    // a symlink loop on PATH is passed over, as LookPath passes over what it cannot stat
    Files.createDirectories(r.resolve("sbin"));
    Files.createSymbolicLink(r.resolve("sbin/echo"), Path.of("echo2"));
    Files.createSymbolicLink(r.resolve("sbin/echo2"), Path.of("echo"));
    assertThat(ExecutableLookup.find(image, "echo", List.of("PATH=/sbin:/bin"), "/", List.of())).isEqualTo("/bin/echo");
    assertThatThrownBy(() -> ExecutableLookup.find(image, "echo", List.of("PATH=/sbin"), "/", List.of()))
        .hasMessage("exec: \"echo\": executable file not found in $PATH");
    // a masked directory shows nothing
    ContainerTree masked = new ContainerTree(new RootfsView(r), List.of("/opt/bin"));
    assertThat(ExecutableLookup.find(masked, "echo", env, "/", List.of())).isEqualTo("/bin/echo");
  }

  @Test
  void homeComesFromThePasswdTheContainerSees() throws Exception {
    Path r = Files.createDirectories(tmp.resolve("rootfs/etc"));
    Files.writeString(r.resolve("passwd"), "root:x:0:0::/root:/bin/sh\nu:x:1234:1234::/image/u:/bin/sh\n");
    Path mine = Files.writeString(tmp.resolve("passwd"), "root:x:0:0::/altroot:/bin/sh\nu:x:1234:1234::/home/u:/bin/sh\n");
    Path etc = Files.createDirectories(tmp.resolve("etc"));
    Files.writeString(etc.resolve("passwd"), "u:x:1234:1234::/from/etc:/bin/sh\n");
    Path rootfs = tmp.resolve("rootfs");

    assertThat(ProcessEnv.withHome(List.of(), ContainerTree.of(rootfs), 1234)).containsExactly("HOME=/image/u");
    RootfsView file = new RootfsView(rootfs);
    file.bind("/etc/passwd", mine);
    assertThat(ProcessEnv.withHome(List.of(), new ContainerTree(file, List.of()), 1234)).containsExactly("HOME=/home/u");
    RootfsView dir = new RootfsView(rootfs);
    dir.bind("/etc", etc);
    assertThat(ProcessEnv.withHome(List.of(), new ContainerTree(dir, List.of()), 1234)).containsExactly("HOME=/from/etc");
    assertThat(ProcessEnv.withHome(List.of(), new ContainerTree(new RootfsView(rootfs), List.of("/etc")), 0))
        .containsExactly("HOME=/");
    assertThat(ProcessEnv.withHome(List.of("HOME=/set"), new ContainerTree(file, List.of()), 1234)).containsExactly("HOME=/set");
  }
}
