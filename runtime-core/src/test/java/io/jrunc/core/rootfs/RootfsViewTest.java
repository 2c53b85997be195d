package io.jrunc.core.rootfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolution in the container's tree as openat2(RESOLVE_IN_ROOT) would do it, mounts included. */
class RootfsViewTest {
  @TempDir Path tmp;

  private Path rootfs() throws IOException {
    return Files.createDirectories(tmp.resolve("rootfs"));
  }

  /**
   * A component is looked at through NIO until jrunc's system call entry is linked, through
   * statx after: both tell a link (dangling or not), something else, and nothing there alike.
   */
  @Test
  void bothWaysOfLookingAtAComponentAgree() throws Exception {
    Path r = rootfs();
    Path file = Files.writeString(r.resolve("f"), "x");
    Path dir = Files.createDirectories(r.resolve("d"));
    Path link = Files.createSymbolicLink(r.resolve("l"), Path.of("/d"));
    Path dangling = Files.createSymbolicLink(r.resolve("dl"), Path.of("/nowhere/at/all"));
    for (boolean viaSyscall : new boolean[] {false, true}) {
      assertThat(RootfsView.lstatType(link, viaSyscall)).as("link, syscall " + viaSyscall).isEqualTo(io.jrunc.core.sys.Stat.S_IFLNK);
      assertThat(RootfsView.lstatType(dangling, viaSyscall)).as("dangling").isEqualTo(io.jrunc.core.sys.Stat.S_IFLNK);
      assertThat(RootfsView.lstatType(file, viaSyscall)).as("file").isNotNegative().isNotEqualTo(io.jrunc.core.sys.Stat.S_IFLNK);
      assertThat(RootfsView.lstatType(dir, viaSyscall)).as("dir").isNotNegative().isNotEqualTo(io.jrunc.core.sys.Stat.S_IFLNK);
      assertThat(RootfsView.lstatType(r.resolve("missing"), viaSyscall)).as("missing").isNegative();
      assertThat(RootfsView.lstatType(file.resolve("below-a-file"), viaSyscall)).as("ENOTDIR").isNegative();
    }
    assertThat(io.jrunc.core.sys.Stat.typeNoFollow(file.toString())).isEqualTo(io.jrunc.core.sys.Stat.S_IFREG);
    assertThat(io.jrunc.core.sys.Stat.typeNoFollow(dir.toString())).isEqualTo(io.jrunc.core.sys.Stat.S_IFDIR);
    assertThat(io.jrunc.core.sys.Stat.typeNoFollow(r.resolve("missing").toString())).isEqualTo(-io.jrunc.core.sys.Errno.ENOENT);
    // and a walk through the link and past the dangling one, with the entry linked
    io.jrunc.core.sys.Libc.getpid();
    assertThat(io.jrunc.core.sys.Libc.linked()).isTrue();
    RootfsView v = new RootfsView(r);
    assertThat(v.resolve("/l/sub")).isEqualTo("/d/sub");
    assertThat(v.resolve("/dl/x")).isEqualTo("/nowhere/at/all/x");
  }

  @Test
  void symlinksAreFollowedInsideTheRootAndDotDotStopsThere() throws Exception {
    Path r = rootfs();
    Files.createDirectories(r.resolve("etc"));
    Files.createDirectories(r.resolve("srv/data"));
    Files.createSymbolicLink(r.resolve("pp"), Path.of("/proc"));
    Files.createSymbolicLink(r.resolve("etc/x"), Path.of("../foo/bar/not/here"));
    Files.createSymbolicLink(r.resolve("etc/esc"), Path.of("/../../../tmp/escape-XYZ"));
    Files.createSymbolicLink(r.resolve("etc/up"), Path.of("../../../../srv"));
    Files.createSymbolicLink(r.resolve("data"), Path.of("srv/data"));
    RootfsView v = new RootfsView(r);
    assertThat(v.resolve("/pp")).isEqualTo("/proc");
    assertThat(v.resolve("/pp/sys/kernel")).isEqualTo("/proc/sys/kernel");
    assertThat(v.resolve("/etc/x")).isEqualTo("/foo/bar/not/here");      // dangling: the missing tail is kept
    assertThat(v.resolve("etc/esc")).isEqualTo("/tmp/escape-XYZ");        // never above the root
    assertThat(v.resolve("/etc/up/data/../data/f")).isEqualTo("/srv/data/f");
    assertThat(v.resolve("/data")).isEqualTo("/srv/data");
    assertThat(v.resolve("/x/..")).isEqualTo("/");
    assertThat(v.host("/srv/data")).isEqualTo(r.resolve("srv/data"));
    assertThat(v.host("/")).isEqualTo(r);
  }

  /**
   * With many mounts (more than the scan's 64) the layer of a path is found by its parents'
   * destinations, with the same answer: the latest mount at the path or above it.
   */
  @Test
  void manyMountsGiveTheLatestLayerAsFewDo() throws Exception {
    Path r = rootfs();
    Files.createDirectories(r.resolve("etc"));
    Path src = Files.createDirectories(tmp.resolve("src/sub"));
    Files.createSymbolicLink(src.resolve("link"), Path.of("/etc"));
    RootfsView v = new RootfsView(r);
    for (int i = 0; i < 100; i++) v.fresh("/tmp/m" + i);
    v.bind("/tmp/m5/b", tmp.resolve("src"));
    assertThat(v.host("/etc")).isEqualTo(r.resolve("etc"));
    assertThat(v.host("/tmp/m7/y")).isNull();
    assertThat(v.host("/tmp/m5/b/sub")).isEqualTo(src);
    assertThat(v.host("/tmp/m5/bb")).isNull(); // a sibling named alike is not under /tmp/m5/b
    assertThat(v.resolve("/tmp/m5/b/sub/link/x")).isEqualTo("/etc/x"); // the bind's symlink, followed in the root
    v.fresh("/tmp"); // later, over all of them
    assertThat(v.host("/tmp/m5/b/sub")).isNull();
    assertThat(v.resolve("/tmp/m5/b/sub/link/x")).isEqualTo("/tmp/m5/b/sub/link/x");
  }

  /**
   * Below a component missing from a layer nothing of that layer is looked up, but a later mount
   * under it is, and going back up with ".." or through a symlink looks up again.
   */
  @Test
  void whatIsBelowAMissingComponentIsLookedUpOnlyInOtherLayers() throws Exception {
    Path r = rootfs();
    Files.createDirectories(r.resolve("etc"));
    Files.createSymbolicLink(r.resolve("pp"), Path.of("/proc"));
    Files.createSymbolicLink(r.resolve("etc/dangling"), Path.of("/gone/too"));
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.createSymbolicLink(src.resolve("l"), Path.of("/etc"));
    RootfsView v = new RootfsView(r);
    assertThat(v.resolve("/opt/a/b/c")).isEqualTo("/opt/a/b/c");
    assertThat(v.resolve("/opt/a/../../pp/x")).isEqualTo("/proc/x");   // back above the missing /opt: /pp is a link
    assertThat(v.resolve("/opt/../etc/dangling/y")).isEqualTo("/gone/too/y");
    v.bind("/opt/x", src);                                              // a mount inside the missing /opt
    assertThat(v.resolve("/opt/x/l/passwd")).isEqualTo("/etc/passwd");
    assertThat(v.resolve("/opt/y/l/passwd")).isEqualTo("/opt/y/l/passwd");
  }

  /**
   * A clean path in a layer that shows nothing (fresh or kernel) is its own resolution, however
   * the image below looks; not when a later mount over one of its parents shows something, nor a
   * path that is not clean.
   */
  @Test
  void aPathInAFilesystemThatShowsNothingIsItself() throws Exception {
    Path r = rootfs();
    Files.createDirectories(r.resolve("dev"));
    Files.createSymbolicLink(r.resolve("dev/x"), Path.of("/etc"));         // hidden by the tmpfs on /dev
    Files.createSymbolicLink(r.resolve("pp"), Path.of("/proc"));
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.createSymbolicLink(src.resolve("n"), Path.of("/etc"));
    RootfsView v = new RootfsView(r);
    assertThat(v.resolve("/dev/x/y")).isEqualTo("/etc/y");
    v.fresh("/dev");
    v.kernel("/proc");
    assertThat(v.resolve("/dev/x/y")).isEqualTo("/dev/x/y");
    assertThat(v.resolve("/proc/sys/kernel")).isEqualTo("/proc/sys/kernel");
    assertThat(v.resolve("/dev/../pp/x")).isEqualTo("/proc/x");            // not clean: walked
    assertThat(v.resolve("/dev/x/../../pp")).isEqualTo("/proc");
    v.fresh("/m/n");
    v.bind("/m", src);                                                     // over the tmpfs' parent: hides it
    assertThat(v.resolve("/m/n/x")).isEqualTo("/etc/x");
  }

  @Test
  void aSymlinkLoopIsAnError() throws Exception {
    Path r = rootfs();
    Files.createSymbolicLink(r.resolve("a"), Path.of("b"));
    Files.createSymbolicLink(r.resolve("b"), Path.of("/a"));
    assertThatThrownBy(() -> new RootfsView(r).resolve("/a/x")).isInstanceOf(IOException.class)
        .hasMessage("too many levels of symbolic links (ELOOP)");
  }

  /**
   * A symlink swapped for something else between the lstat that saw it and the readlink (a
   * shared volume's other user racing the create): the error says what happened, not only the
   * path that NIO's exceptions carry.
   */
  @Test
  void aSymlinkThatChangedWhileResolvedSaysSo() throws Exception {
    Path r = rootfs();
    Path dir = Files.createDirectory(r.resolve("was-a-link"));
    assertThatThrownBy(() -> RootfsView.readLink(dir)).isInstanceOf(IOException.class)
        .hasMessage(dir + " changed while it was resolved (a symbolic link, then no longer one)");
    assertThatThrownBy(() -> RootfsView.readLink(r.resolve("gone"))).isInstanceOf(IOException.class)
        .hasMessage(r.resolve("gone") + " changed while it was resolved (a symbolic link, then gone)");
    Files.createSymbolicLink(r.resolve("link"), Path.of("/etc"));
    assertThat(RootfsView.readLink(r.resolve("link"))).isEqualTo("/etc");
  }

  /** Later components are looked up in what earlier mounts put there, not in the image below. */
  @Test
  void mountsCoverTheImage() throws Exception {
    Path r = rootfs();
    Files.createSymbolicLink(r.resolve("run"), Path.of("/proc"));          // hidden by the tmpfs below
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.createSymbolicLink(src.resolve("p"), Path.of("/proc/sys"));     // in a bind source: followed in the container
    Files.createSymbolicLink(src.resolve("rel"), Path.of("../../etc"));
    RootfsView v = new RootfsView(r);
    assertThat(v.resolve("/run/x")).isEqualTo("/proc/x");
    v.fresh("/proc");
    v.fresh("/run");
    assertThat(v.resolve("/run/x")).isEqualTo("/run/x");
    assertThat(v.host("/run/x")).isNull();
    v.bind("/data", src);
    assertThat(v.resolve("/data/p/net")).isEqualTo("/proc/sys/net");
    assertThat(v.resolve("/data/rel/hosts")).isEqualTo("/etc/hosts");
    assertThat(v.host("/data/p")).isEqualTo(src.resolve("p"));
    v.kernel("/sys");                                                      // sysfs: its own symlinks are not seen
    assertThat(v.resolve("/sys/class/net/lo")).isEqualTo("/sys/class/net/lo");
    assertThat(v.inKernelFs("/sys/class/net/lo")).isTrue();
    assertThat(v.inKernelFs("/sys")).isFalse();                           // the mount point is the image's
    assertThat(v.inKernelFs("/data/p")).isFalse();
    v.bind("/", src);                                                     // a mount over / covers everything
    assertThat(v.resolve("/p")).isEqualTo("/proc/sys");
    assertThat(v.host("/data")).isEqualTo(src.resolve("data"));
  }
}
