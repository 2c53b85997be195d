package io.jrunc.core.rootfs;

import static io.jrunc.core.sys.Mount.*;
import static io.jrunc.core.sys.Open.*;
import static io.jrunc.core.sys.Stat.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.spec.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The planned steps (descriptions and order) and the validation, without running a child. */
class RootfsPlanTest {
  @TempDir Path tmp;

  static final HostMounts V1_HOST = HostMounts.parse("""
      22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw
      25 22 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
      26 25 0:23 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct
      27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid - cgroup cgroup rw,xattr,name=systemd
      28 25 0:25 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw
      29 22 0:26 / /srv/my\\040dir rw - ext4 /dev/vdb rw
      """);

  private Spec spec(String mounts, String linuxExtra) throws Exception {
    return ContainerRun.spec(RootfsSetupRealTest.spec(mounts, linuxExtra, true));
  }

  private RootfsContext ctx(Spec spec) throws Exception {
    Files.createDirectories(tmp.resolve("rootfs"));
    return RootfsContext.of(spec, tmp);
  }

  private List<String> steps(RootfsContext ctx) {
    try (ProgramBuilder b = new ProgramBuilder()) {
      RootfsSetup.plan(ctx, V1_HOST).emit(b);
      ChildProgram p = b.build();
      List<String> l = new ArrayList<>();
      for (int i = 0; i < p.size(); i++) l.add(p.description(i));
      return l;
    }
  }

  @Test
  void defaultSpecStepsInOrder() throws Exception {
    List<String> s = steps(ctx(spec(RootfsSetupRealTest.DEFAULT_MOUNTS, RootfsSetupRealTest.MASKS)));
    String rootfs = tmp.resolve("rootfs").toString();
    assertThat(s).containsSubsequence(
        "set umask 0 for the rootfs setup",
        "make / rslave in the container's mount namespace",
        "bind-mount the rootfs " + rootfs + " onto itself",
        "mount proc (type proc) to /proc: open filesystem type proc",
        "create mount point /proc",
        "mount proc (type proc) to /proc",
        "mount tmpfs (type tmpfs) to /dev: option size=65536k",
        "mount devpts (type devpts) to /dev/pts: option newinstance",
        "mount devpts (type devpts) to /dev/pts: option ptmxmode=0666",
        "create mount point /dev/pts",
        "mount cgroup hierarchies (type cgroup) to /sys/fs/cgroup: mount the tmpfs",
        "mount cgroup cpu,cpuacct (type cgroup) to /sys/fs/cgroup/cpu,cpuacct: option cpu",
        "create symlink /sys/fs/cgroup/cpu -> cpu,cpuacct",
        "mount cgroup systemd (type cgroup) to /sys/fs/cgroup/systemd: option name=systemd",
        "make /sys/fs/cgroup read-only",
        "create device /dev/null",
        "create device /dev/tty",
        "create symlink /dev/fd -> /proc/self/fd",
        "create symlink /dev/ptmx -> pts/ptmx",
        "make /proc/sys read-only",
        "mask /proc/kcore with a read-only tmpfs",
        "mask /proc/kcore with /dev/null",
        "pivot_root to " + rootfs,
        "unmount the old root",
        "make the root filesystem read-only",
        "restore the umask");
    assertThat(s).doesNotContain("make /dev read-only", "chroot to " + rootfs);
    // the hierarchy's own options (so the superblock matches the host's), but not rw/ro
    assertThat(s).contains("mount cgroup systemd (type cgroup) to /sys/fs/cgroup/systemd: option xattr")
        .noneMatch(d -> d.endsWith("option rw"));
  }

  @Test
  void devBindSkipsDevicesAndReadonlyDevIsDeferred() throws Exception {
    List<String> s = steps(ctx(spec("""
        [{"destination": "/dev", "type": "bind", "source": "/dev", "options": ["rbind"]}]""", "")));
    assertThat(s).noneMatch(d -> d.startsWith("create device") || d.startsWith("create symlink /dev"));
    s = steps(ctx(spec("""
        [{"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["ro"]}]""", "")));
    assertThat(s).doesNotContain("mount tmpfs (type tmpfs) to /dev: option ro")
        .containsSubsequence("create device /dev/null", "pivot_root to " + tmp.resolve("rootfs"), "make /dev read-only");
  }

  @Test
  void userNamespaceBindsDevicesNoPivotMovesAndConsole() throws Exception {
    RootfsContext c = ctx(spec(RootfsSetupRealTest.DEFAULT_MOUNTS, "")).withNewUserNs(true).withNoPivot(true)
        .withConsole("/dev/pts/7");
    List<String> s = steps(c);
    assertThat(s).contains("bind-mount device /dev/null from the host", "bind-mount /dev/pts/7 to /dev/console",
        "move the rootfs " + tmp.resolve("rootfs") + " to /", "chroot to " + tmp.resolve("rootfs"));
    assertThat(s).noneMatch(d -> d.startsWith("create device") || d.startsWith("pivot_root"));
  }

  @Test
  void sharedRootPropagationMakesTheRootfsParentPrivateAndIsReappliedAfterPivot() throws Exception {
    List<String> s = steps(ctx(spec("[]", "\"rootfsPropagation\": \"rshared\"")));
    assertThat(s).containsSubsequence("make / rshared in the container's mount namespace",
        "make / (the mount holding the rootfs) private", "pivot_root to " + tmp.resolve("rootfs"), "make / rshared");
  }

  @Test
  void cgroupWithoutNamespaceBindsTheContainersDirectories() throws Exception {
    String ns = RootfsSetupRealTest.NAMESPACES.replace(", {\"type\": \"cgroup\"}", "");
    Spec spec = ContainerRun.spec("""
        {"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "mounts": %s, "linux": {"namespaces": %s}}"""
        .formatted(RootfsSetupRealTest.DEFAULT_MOUNTS, ns));
    RootfsContext c = ctx(spec);
    assertThat(c.cgroupNs()).isFalse();
    assertThatThrownBy(() -> steps(c)).isInstanceOf(RootfsConfigException.class)
        .hasMessage("mounts[6] (destination /sys/fs/cgroup): a cgroup mount without a cgroup namespace needs the"
            + " container's directory in hierarchy cpu,cpuacct (RootfsContext.cgroupDirs)");
    List<String> s = steps(c.withCgroupDirs(Map.of("cpu,cpuacct", Path.of("/sys/fs/cgroup/cpu,cpuacct/c1"),
        "systemd", Path.of("/sys/fs/cgroup/systemd/c1"), "unified", Path.of("/sys/fs/cgroup/unified/c1"))));
    assertThat(s).contains("mount /sys/fs/cgroup/cpu,cpuacct/c1 (type bind) to /sys/fs/cgroup/cpu,cpuacct");
  }

  @Test
  void withoutMountNamespaceOnlyChroot() throws Exception {
    Spec spec = ContainerRun.spec("""
        {"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "linux": {"namespaces": [{"type": "pid"}]}}""");
    assertThat(steps(ctx(spec))).containsExactly("set umask 0 for the rootfs setup",
        "chroot to " + tmp.resolve("rootfs"), "change directory to /", "restore the umask");
    Spec withMounts = ContainerRun.spec("""
        {"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "mounts": [{"destination": "/proc", "type": "proc"}],
         "linux": {"namespaces": [{"type": "pid"}]}}""");
    assertThatThrownBy(() -> steps(ctx(withMounts))).hasMessageContaining("need a mount namespace");
  }

  private void rejects(String mounts, String linuxExtra, String message) throws Exception {
    Spec s = spec(mounts, linuxExtra);
    assertThatThrownBy(() -> RootfsSetup.plan(ctx(s), V1_HOST)).isInstanceOf(RootfsConfigException.class)
        .hasMessage(message);
  }

  @Test
  void invalidMountsAreRejectedBeforeAnythingRuns() throws Exception {
    // what needs the rootfs or the host; the rules without it are the validator's (MountRulesTest)
    String rootfs = tmp.resolve("rootfs").toString();
    rejects("[{\"destination\": \"/proc/sys\", \"type\": \"bind\", \"source\": \"/tmp\", \"options\": [\"bind\"]}]", "",
        "mounts[0] (destination /proc/sys): \"" + rootfs + "/proc/sys\" cannot be mounted because it is inside /proc");
    rejects("[{\"destination\": \"/proc\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}]", "",
        "mounts[0] (destination /proc): \"" + rootfs + "/proc\" cannot be mounted because it is not of type proc");
    Path file = Files.writeString(tmp.resolve("afile"), "x");
    rejects("[{\"destination\": \"/x/..\", \"type\": \"bind\", \"source\": \"" + file + "\"}]", "",
        "mounts[0] (destination /): bind source " + file + " is not a directory (only a directory can be mounted over"
            + " the container's root)");
    rejects("[{\"destination\": \"/x\", \"type\": \"bind\", \"source\": \"/nonexistent/src\"}]", "",
        "mounts[0] (destination /x): bind source /nonexistent/src: no such file or directory (ENOENT)");
    rejects("[]", "\"sysctl\": {\"kernel.shmmax\": \"1\"}", "linux.sysctl: needs a proc mount on /proc in mounts");
    // a file onto a directory of the image, a directory onto a file: the kernel's EINVAL, said here
    Files.createDirectories(Path.of(rootfs, "adir"));
    Files.writeString(Path.of(rootfs, "afile"), "x");
    rejects("[{\"destination\": \"/adir\", \"type\": \"bind\", \"source\": \"" + file + "\"}]", "",
        "mounts[0] (destination /adir): bind source " + file + " is not a directory, but /adir in the container is one:"
            + " not a directory (ENOTDIR)");
    rejects("[{\"destination\": \"/afile\", \"type\": \"bind\", \"source\": \"" + tmp + "\"}]", "",
        "mounts[0] (destination /afile): bind source " + tmp + " is a directory, but /afile in the container is not:"
            + " not a directory (ENOTDIR)");
  }

  /**
   * CVE-2019-16884 class: the checks are made where a destination resolves in the rootfs (image
   * symlinks, and what earlier mounts put there), with runc's words; the lexical string is not
   * what counts.
   */
  @Test
  void destinationsAreCheckedWhereTheyResolve() throws Exception {
    Path r = Files.createDirectories(tmp.resolve("rootfs"));
    Files.createDirectories(r.resolve("proc"));
    Files.createSymbolicLink(r.resolve("pp"), Path.of("/proc"));
    Files.createSymbolicLink(r.resolve("rel"), Path.of("../../../proc/sys"));
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.createSymbolicLink(src.resolve("p"), Path.of("/proc"));
    String proc = "{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}";
    String bind = "{\"destination\": \"%s\", \"type\": \"bind\", \"source\": \"" + src + "\", \"options\": [\"rbind\"]}";
    String at = "\"" + r + "/proc";
    rejects("[" + proc + ", " + bind.formatted("/pp") + "]", "",
        "mounts[1] (destination /pp): " + at + "\" cannot be mounted because it is not of type proc");
    rejects("[" + proc + ", " + bind.formatted("/pp/sys") + "]", "",
        "mounts[1] (destination /pp/sys): " + at + "/sys\" cannot be mounted because it is inside /proc");
    rejects("[" + bind.formatted("/rel") + "]", "",
        "mounts[0] (destination /rel): " + at + "/sys\" cannot be mounted because it is inside /proc");
    rejects("[{\"destination\": \"/pp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}]", "",
        "mounts[0] (destination /pp): " + at + "\" cannot be mounted because it is not of type proc");
    rejects("[{\"destination\": \"/pp\", \"type\": \"proc\", \"source\": \"proc\"}]", "",
        "mounts[0] (destination /pp): filesystem \"proc\" must be mounted on ordinary directory (/pp resolves to /proc"
            + " through a symlink in the rootfs)");
    // a symlink that an earlier bind mount brings in counts too
    rejects("[" + bind.formatted("/data") + ", " + bind.formatted("/data/p") + "]", "",
        "mounts[1] (destination /data/p): " + at + "\" cannot be mounted because it is not of type proc");
    // devices: where they are made
    Files.createDirectories(r.resolve("dev"));
    Files.createSymbolicLink(r.resolve("dev/kmsg"), Path.of("/proc/kmsg"));
    rejects("[]", "\"devices\": [{\"path\": \"/dev/kmsg\", \"type\": \"c\", \"major\": 1, \"minor\": 11}]",
        "linux.devices[0] (/dev/kmsg): " + at + "/kmsg\" cannot be created because it is inside /proc");
    // what lxcfs emulates may be bound, through a symlink too; and the steps walk the resolved path
    List<String> s = steps(ctx(spec("[" + proc + ", " + bind.formatted("/pp/cpuinfo").replace(src.toString(),
        "/proc/cpuinfo").replace("rbind", "bind") + "]", "")));
    assertThat(s).contains("open mount point /proc/cpuinfo").doesNotContain("open mount point /pp/cpuinfo");
  }

  /** A bind whose destination is a dangling symlink lands where it points, inside the rootfs (runc, crun). */
  @Test
  void danglingSymlinkDestinationsAreMadeInsideTheRootfs() throws Exception {
    Path r = Files.createDirectories(tmp.resolve("rootfs/etc"));
    Files.createSymbolicLink(r.resolve("x"), Path.of("../foo/bar/not/here"));
    Files.createSymbolicLink(r.resolve("esc"), Path.of("/../../../tmp/escape-XYZ"));
    Path file = Files.writeString(tmp.resolve("file"), "x");
    List<String> s = steps(ctx(spec("""
        [{"destination": "/etc/x", "type": "bind", "source": "%s"},
         {"destination": "/etc/esc", "type": "bind", "source": "%s", "options": ["rbind"]}]"""
        .formatted(file, tmp), "")));
    assertThat(s).containsSubsequence("create mount point /foo", "create mount point /foo/bar",
        "create mount point /foo/bar/not", "create mount point /foo/bar/not/here", "open mount point /foo/bar/not/here",
        "mount " + file + " (type bind) to /etc/x",
        "create mount point /tmp", "create mount point /tmp/escape-XYZ", "open mount point /tmp/escape-XYZ",
        "mount " + tmp + " (type bind) to /etc/esc");
  }

  /** A mount over / (runc and crun accept it) becomes the root that later mounts and pivot_root use. */
  @Test
  void aMountOverTheRootBecomesTheRoot() throws Exception {
    Path other = Files.createDirectories(tmp.resolve("other"));
    List<String> s = steps(ctx(spec("""
        [{"destination": "/", "type": "bind", "source": "%s", "options": ["rbind"]},
         {"destination": "/proc", "type": "proc", "source": "proc"}]""".formatted(other), "")));
    assertThat(s).containsSubsequence("open mount point /", "mount " + other + " (type bind) to /",
        "mount " + other + " (type bind) to /: open the new root", "close the covered rootfs fd",
        "create mount point /proc", "pivot_root to " + tmp.resolve("rootfs"), "make the root filesystem read-only");
  }

  @Test
  void mountOptionsFollowRuncsTable() {
    MountOptions o = MountOptions.parse(List.of("rbind", "ro", "rw", "nosuid", "noatime", "rprivate", "rro",
        "rnoatime", "ratime", "size=1m", "newinstance", "shared"));
    assertThat(o.isRecursiveBind()).isTrue();
    assertThat(o.has(MS_RDONLY)).isFalse();
    assertThat(o.attrSet()).isEqualTo(MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOATIME);
    assertThat(o.attrClr()).isEqualTo(MOUNT_ATTR_RDONLY | MOUNT_ATTR__ATIME);
    assertThat(o.propagation()).containsExactly(MS_PRIVATE | MS_REC, MS_SHARED);
    assertThat(o.recSet()).isEqualTo(MOUNT_ATTR_RDONLY);
    assertThat(o.recClr()).isEqualTo(MOUNT_ATTR__ATIME);
    assertThat(o.data()).containsExactly("size=1m", "newinstance");
    MountOptions f = MountOptions.parse(List.of("ro", "sync", "dirsync", "strictatime", "tmpcopyup", "ridmap"));
    assertThat(f.superblockFlags()).containsExactly("ro", "sync", "dirsync");
    assertThat(f.attrSet()).isEqualTo(MOUNT_ATTR_RDONLY | MOUNT_ATTR_STRICTATIME);
    assertThat(f.tmpcopyup()).isTrue();
    assertThat(f.ridmap()).isTrue();
    assertThat(MountSteps.splitOptions("context=\"system_u:object_r:x:s0:c1,c2\",size=1m"))
        .containsExactly("context=\"system_u:object_r:x:s0:c1,c2\"", "size=1m");
    assertThat(encodeDev(10, 200)).isEqualTo((10 << 8) | 200);
    assertThat(encodeDev(259, 0x12345)).isEqualTo(0x45 | (259 << 8) | (0x12300L << 12));
  }

  @Test
  void pathsAndHostMounts() {
    assertThat(MountSteps.clean("dev/./pts/../shm/")).isEqualTo("/dev/shm");
    assertThat(MountSteps.clean("/../../etc")).isEqualTo("/etc");
    // the clean ones are returned as they are; anything else goes through the components
    for (String p : new String[] {"/", "/dev", "/dev/pts", "/a.b/..c/...", "/.x"}) assertThat(MountSteps.clean(p)).isSameAs(p);
    assertThat(MountSteps.clean("/dev/")).isEqualTo("/dev");
    assertThat(MountSteps.clean("//dev//pts")).isEqualTo("/dev/pts");
    assertThat(MountSteps.clean("/dev/.")).isEqualTo("/dev");
    assertThat(MountSteps.clean("/dev/..")).isEqualTo("/");
    assertThat(MountSteps.clean("/a/../b/./c")).isEqualTo("/b/c");
    assertThat(MountSteps.clean("")).isEqualTo("/");
    assertThat(MountSteps.comps("/a/./b/../c/")).containsExactly("a", "c");
    assertThat(MountSteps.comps("../x/.../..y/.z//")).containsExactly("x", "...", "..y", ".z");
    assertThat(MountSteps.comps("/")).isEmpty();
    assertThat(MountSteps.isClean("/a/.b/c..")).isTrue();
    for (String p : new String[] {"a", "/a/", "/a//b", "/a/./b", "/a/..", "/.."}) assertThat(MountSteps.isClean(p)).as(p).isFalse();
    assertThat(MountSteps.display("/", List.of("a", "b"), 2)).hasToString("/a/b");
    assertThat(MountSteps.display("/", List.of("a", "b"), 0)).hasToString("/");
    assertThat(MountSteps.display("/x", List.of("a", "b"), 1)).hasToString("/x/a");
    assertThat(MountSteps.display("/x", List.of("a"), 0)).isEqualTo("/x");
    assertThat(MountSteps.join(List.of("a", "b", "c"), 3)).isEqualTo("a/b/c");
    assertThat(V1_HOST.cgroupHierarchies()).extracting(HostMounts.Entry::mountPoint)
        .containsExactly("/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified");
    assertThat(V1_HOST.cgroup2Unified()).isFalse();
    assertThat(V1_HOST.mountPointOf(Path.of("/srv/my dir/bundle/rootfs"))).isEqualTo("/srv/my dir");
    assertThat(V1_HOST.mountPointOf(Path.of("/srv/my dirx"))).isEqualTo("/");
  }

  /** The index parser against a plain split of each line, on this host's table and odd lines. */
  @Test
  void mountinfoIsParsedAsSplittingEachLineWould() throws Exception {
    String odd = """
        36 35 98:0 /mnt1 /mnt/my\\040dir rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue
        37 35 98:0 / /a rw - tmpfs tmpfs rw
        garbage
        38 35 98:0 / /short rw - tmpfs tmpfs
        39 35 98:0 / /nodash rw shared:1 tmpfs tmpfs rw

        40 35 0:1 /x\\134y /b ro,relatime - proc proc rw,hidepid=2""";
    String host = Files.readString(Path.of("/proc/self/mountinfo"));
    for (String text : new String[] {odd, host}) {
      assertThat(HostMounts.parse(text).entries()).isEqualTo(splitParse(text));
    }
    assertThat(HostMounts.parse(odd).entries()).extracting(HostMounts.Entry::mountPoint)
        .containsExactly("/mnt/my dir", "/a", "/b");
  }

  private static List<HostMounts.Entry> splitParse(String text) {
    List<HostMounts.Entry> l = new java.util.ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) continue;
      String[] f = line.split(" ");
      int dash = -1;
      for (int i = 6; i < f.length; i++) {
        if (f[i].equals("-")) {
          dash = i;
          break;
        }
      }
      if (dash < 0 || f.length < dash + 4) continue;
      l.add(new HostMounts.Entry(HostMounts.unescape(f[4]), f[dash + 1], f[5], f[dash + 3], HostMounts.unescape(f[3])));
    }
    return l;
  }

  @Test
  void cgroupOnAV2HostMountsCgroup2OrBindsTheContainersDirectory() throws Exception {
    HostMounts v2 = HostMounts.parse("22 1 0:21 / / rw - ext4 /dev/vda rw\n25 22 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n");
    Spec spec = spec(RootfsSetupRealTest.DEFAULT_MOUNTS, "");
    List<String> s = describe(RootfsSetup.plan(ctx(spec), v2));
    assertThat(s).contains("mount cgroup (type cgroup) to /sys/fs/cgroup: open filesystem type cgroup2");
    String ns = RootfsSetupRealTest.NAMESPACES.replace(", {\"type\": \"cgroup\"}", "");
    Spec noNs = ContainerRun.spec("""
        {"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "mounts": %s, "linux": {"namespaces": %s}}"""
        .formatted(RootfsSetupRealTest.DEFAULT_MOUNTS, ns));
    s = describe(RootfsSetup.plan(ctx(noNs).withCgroupDirs(Map.of("", Path.of("/sys/fs/cgroup")))
        , v2));
    assertThat(s).contains("mount /sys/fs/cgroup (type bind) to /sys/fs/cgroup");
  }

  private static List<String> describe(RootfsSetup setup) {
    try (ProgramBuilder b = new ProgramBuilder(); setup) {
      setup.emit(b);
      ChildProgram p = b.build();
      List<String> l = new ArrayList<>();
      for (int i = 0; i < p.size(); i++) l.add(p.description(i));
      return l;
    }
  }
}
