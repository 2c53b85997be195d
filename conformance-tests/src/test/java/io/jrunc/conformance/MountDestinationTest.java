package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrunc.testsupport.RequiresRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a mount lands is decided in the rootfs, through the image's symlinks, and checked there
 * (CVE-2019-16884 class); a dangling symlink destination is made inside the rootfs; a mount over
 * {@code /} is accepted. Checked from inside the container and, for what is refused, from the
 * host (nothing mounted, nothing made outside the rootfs).
 */
@RequiresRoot("runs containers with mounts")
class MountDestinationTest {
  @TempDir Path tmp;

  private static ObjectNode bind(Bundle b, String dest, Path source) {
    ObjectNode m = ((ArrayNode) b.config.get("mounts")).addObject();
    m.put("destination", dest).put("type", "bind").put("source", source.toString());
    m.putArray("options").add("rbind");
    return m;
  }

  /** Mount points of this host under {@code dir} (mountinfo field 5), to see that a refusal left none. */
  private static List<String> mountsUnder(Path dir) throws IOException {
    return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4])
        .filter(p -> p.startsWith(dir.toString())).toList();
  }

  /**
   * A mount a container in a new user namespace makes under a bind mount stays in the
   * container, also when the bind's source is a shared mount (systemd hosts: every mount is):
   * the runtime clones such sources for the child, and its clone was a peer of the host's, so a
   * tmpfs the container mounted in its volume appeared in the host's (found in the VM lane, where
   * the container's cgroup mount appeared over the host's /sys/fs/cgroup and made it read-only).
   * Run in a mount namespace of the test's own, with a shared tmpfs of its own as the volume.
   */
  @Test
  void aMountUnderASharedVolumeDoesNotReachTheHost() throws Exception {
    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh("mount -t tmpfs inner /vol/x && echo mounted");
    Files.createDirectories(b.dir.resolve("rootfs/vol"));
    b.inUserNamespace(100000);
    ObjectNode caps = b.process().putObject("capabilities");
    for (String set : new String[] {"bounding", "effective", "permitted"}) caps.putArray(set).add("CAP_SYS_ADMIN");
    Path vol = tmp.resolve("shared");
    bind(b, "/vol", vol);
    Path script = Files.writeString(tmp.resolve("shared.sh"), "set -e\nmkdir -p " + vol + "\nmount -t tmpfs shared " + vol
        + "\nmount --make-shared " + vol + "\nmkdir " + vol + "/x\n\"$1\" --root \"$2\" run --bundle " + b.write()
        + " shared-vol\nif grep -q ' " + vol + "/x ' /proc/self/mountinfo; then echo LEAKED; else echo stayed-inside; fi\n");
    var r = j.runInBashRaw("exec unshare -m --propagation private sh " + script + " \"$0\" \"$1\"");
    assertThat(r.out()).as(r.toString()).isEqualTo("mounted\nstayed-inside\n");
  }

  /**
   * A bundle under a shared mount (runc's bats mount_propagation: the bundle bound onto itself
   * and made shared) with rootfsPropagation "private" or "slave", which are not recursive: the
   * mount holding the rootfs stayed shared and pivot_root refused it (EINVAL). It is made
   * private first, as runc does. In a mount namespace of the test's own.
   */
  @Test
  void aRootfsUnderASharedMountPivotsWithNonRecursivePropagation() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    for (String prop : new String[] {"private", "slave"}) {
      Bundle b = Bundle.busybox(tmp.resolve(prop)).sh("echo pivoted");
      b.linux().put("rootfsPropagation", prop);
      Path script = Files.writeString(tmp.resolve(prop + ".sh"), "set -e\nmount --bind " + b.dir + " " + b.dir
          + "\nmount --make-private " + b.dir + "\nmount --make-shared " + b.dir + "\n\"$1\" --root \"$2\" run --bundle "
          + b.write() + " shared-" + prop + "\n");
      var r = j.runInBashRaw("exec unshare -m --propagation private sh " + script + " \"$0\" \"$1\"");
      assertThat(r.out()).as(r.toString()).isEqualTo("pivoted\n");
    }
  }

  /**
   * The executable on PATH and HOME are found in the tree the mounts make, as runc's init finds
   * them inside the container: a tool in a bind-mounted directory runs (it was "not found"), an
   * image's file a tmpfs hides is passed over for the next PATH entry (exec failed), and HOME
   * comes from a bind-mounted /etc/passwd (it came from the image's).
   */
  @Test
  void pathAndHomeAreLookedUpAfterTheMounts() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Path tools = Files.createDirectories(tmp.resolve("tools"));
    Files.writeString(tools.resolve("tool"), "#!/bin/sh\necho tool-ran HOME=$HOME\n");
    Files.setPosixFilePermissions(tools.resolve("tool"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Path passwd = Files.writeString(tmp.resolve("passwd"), "root:x:0:0::/from-the-mount:/bin/sh\n");
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("tool");
    b.process().putArray("env").add("PATH=/opt/bin:/bin");
    bind(b, "/opt/bin", tools);
    bind(b, "/etc/passwd", passwd);
    var r = j.run("run", "--bundle", b.write().toString(), "lookup-bind");
    assertThat(r.out()).as(r.toString()).isEqualTo("tool-ran HOME=/from-the-mount\n");

    Bundle h = Bundle.busybox(tmp.resolve("h")).args("echo", "hello");
    h.process().putArray("env").add("PATH=/opt/bin:/bin");
    Files.createDirectories(h.dir.resolve("rootfs/opt/bin"));
    Files.copy(Path.of("/bin/busybox"), h.dir.resolve("rootfs/opt/bin/busybox"));
    Files.createSymbolicLink(h.dir.resolve("rootfs/opt/bin/echo"), Path.of("busybox"));
    ((ArrayNode) h.config.get("mounts")).addObject().put("destination", "/opt/bin").put("type", "tmpfs").put("source", "tmpfs");
    r = j.run("run", "--bundle", h.write().toString(), "lookup-tmpfs");
    assertThat(r.out()).as(r.toString()).isEqualTo("hello\n");
  }

  @Test
  void aBindThroughAnImageSymlinkIntoProcIsRefused() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("marker"), "from the host\n");
    for (String[] c : new String[][] {{"/pp", "\" cannot be mounted because it is not of type proc"},
        {"/pp/sys", "/sys\" cannot be mounted because it is inside /proc"}}) {
      Bundle b = Bundle.busybox(tmp.resolve("b" + c[0].length())).args("true");
      Path rootfs = b.dir.resolve("rootfs");
      Files.createSymbolicLink(rootfs.resolve("pp"), Path.of("/proc"));
      bind(b, c[0], src);
      var r = j.run("run", "--bundle", b.write().toString(), "rootfs-pp");
      assertThat(r.exit()).as(r.toString()).isNotZero();
      // runc's words, with the host path the destination resolves to (quotes escaped in the log line)
      assertThat(r.err().replace("\\\"", "\"")).as(r.toString()).contains("mounts[7] (destination " + c[0] + "): \""
          + rootfs + "/proc" + c[1]);
      assertThat(mountsUnder(tmp)).isEmpty();
      assertThat(j.run("list", "-q").out()).isEmpty();
      try (var s = Files.list(rootfs.resolve("proc"))) {
        assertThat(s.toList()).isEmpty();
      }
    }
  }

  /** The same bind through a harmless symlink runs; the container's /proc is its procfs. */
  @Test
  void aBindThroughAnImageSymlinkLandsWhereItPoints() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("marker"), "from the host\n");
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh(
        "cat /srv/data/marker; awk '$2 == \"/proc\" {print \"proc is \" $3}' /proc/mounts; grep -c ' /srv/data ' /proc/self/mountinfo");
    Path rootfs = b.dir.resolve("rootfs");
    Files.createDirectories(rootfs.resolve("srv/data"));
    Files.createSymbolicLink(rootfs.resolve("data"), Path.of("srv/data"));
    bind(b, "/data", src);
    var r = j.run("run", "--bundle", b.write().toString(), "rootfs-data");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("from the host\nproc is proc\n1\n");
  }

  /**
   * What lxcfs binds into the container's procfs (runc's allowed list) still works, and procfs'
   * own symlinks are followed as before: /proc/net is {@code self/net}, so a bind to
   * /proc/net/dev lands on /proc/1/net/dev, init's, the process that made it.
   */
  @Test
  void lxcfsStyleBindsIntoProcfsFollowItsOwnSymlinks() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Path uptime = Files.writeString(tmp.resolve("uptime"), "42.00 42.00\n");
    Path netdev = Files.writeString(tmp.resolve("netdev"), "no devices here\n");
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh("cat /proc/uptime; grep -o ' /proc/[0-9a-z/]*net/dev ' /proc/self/mountinfo");
    bind(b, "/proc/uptime", uptime).putArray("options").add("bind");
    bind(b, "/proc/net/dev", netdev).putArray("options").add("bind");
    var r = j.run("run", "--bundle", b.write().toString(), "rootfs-lxcfs");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("42.00 42.00\n /proc/1/net/dev \n");
  }

  /**
   * A bind whose destination is a dangling symlink: the missing target is made inside the rootfs
   * (a file for a file source, directories for a directory) and mounted there, as runc and crun
   * do; a link to {@code /../../../tmp/...} makes nothing in the host's /tmp.
   */
  @Test
  void aDanglingSymlinkDestinationIsMadeInsideTheRootfs() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    String escape = "rootfs-escape-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    Path file = Files.writeString(tmp.resolve("file"), "a file\n");
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("marker"), "a dir\n");
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh("cat /etc/x; cat /etc/esc/marker; cat /foo/bar/not/here");
    Path rootfs = b.dir.resolve("rootfs");
    Files.createSymbolicLink(rootfs.resolve("etc/x"), Path.of("../foo/bar/not/here"));
    Files.createSymbolicLink(rootfs.resolve("etc/esc"), Path.of("/../../../tmp/" + escape));
    bind(b, "/etc/x", file).putArray("options").add("bind");
    bind(b, "/etc/esc", src);
    var r = j.run("run", "--bundle", b.write().toString(), "rootfs-dangling");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("a file\na dir\na file\n");
    assertThat(rootfs.resolve("foo/bar/not/here")).isRegularFile().isEmptyFile();
    assertThat(rootfs.resolve("tmp/" + escape)).isDirectory().isEmptyDirectory();
    assertThat(Path.of("/tmp", escape)).doesNotExist();
    assertThat(mountsUnder(tmp)).isEmpty();
  }

  /** A mount over / (runc and crun accept it): the container runs in the bound tree, procfs mounted in it. */
  @Test
  void aMountOverTheRootIsTheContainersRoot() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Path other = Bundle.busybox(tmp.resolve("other")).dir.resolve("rootfs");
    Files.writeString(other.resolve("marker"), "the other tree\n");
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh(
        "cat /marker; awk '$2 == \"/proc\" {print \"proc is \" $3}' /proc/mounts; awk '$5 == \"/\" {print $4}' /proc/self/mountinfo");
    ArrayNode mounts = (ArrayNode) b.config.get("mounts");
    ObjectNode root = mounts.insertObject(0).put("destination", "/").put("type", "bind").put("source", other.toString());
    root.putArray("options").add("rbind");
    var r = j.run("run", "--bundle", b.write().toString(), "rootfs-over-root");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("the other tree\nproc is proc\n" + other + "\n");
    assertThat(b.dir.resolve("rootfs/marker")).doesNotExist();
  }
}
