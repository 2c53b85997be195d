package io.jrunc.core.rootfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.sys.Clone;
import io.jrunc.spec.Spec;
import io.jrunc.testsupport.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RootfsSetup's steps run by a real child (root, real kernel), checked from inside with busybox. */
@RequiresRoot("runs the rootfs steps in a child in new mount, pid, net, ipc, uts and cgroup namespaces")
class RootfsSetupRealTest {
  @TempDir Path tmp;

  static final long NS = Clone.CLONE_NEWNS | Clone.CLONE_NEWPID | Clone.CLONE_NEWCGROUP | Clone.CLONE_NEWIPC
      | Clone.CLONE_NEWUTS | Clone.CLONE_NEWNET;

  static final String DEFAULT_MOUNTS = """
      [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
        {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
      ]""";

  static final String NAMESPACES = """
      [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}]""";

  static String spec(String mounts, String linuxExtra, boolean readonlyRoot) {
    return """
        {"ociVersion": "1.2.0", "root": {"path": "rootfs", "readonly": %s}, "mounts": %s,
         "linux": {"namespaces": %s %s}}""".formatted(readonlyRoot, mounts, NAMESPACES,
        linuxExtra.isEmpty() ? "" : ", " + linuxExtra);
  }

  static final String MASKS = """
      "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
      "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]""";

  private ContainerRun.Result run(String json, String script) throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Spec spec = ContainerRun.spec(json);
    return ContainerRun.run(RootfsContext.of(spec, bundle), NS, script);
  }

  @Test
  void defaultSpecMountsDevicesMasksAndReadonlyRoot() throws Exception {
    Set<String> before = ContainerRun.hostMounts();
    ContainerRun.Result r = run(spec(DEFAULT_MOUNTS, MASKS, true), """
        cat /proc/self/mountinfo; echo ---
        ls -ln /dev; echo ---
        echo cgroup: $(ls /sys/fs/cgroup)
        echo acpi=$(ls -A /proc/acpi | wc -l) keys=$(wc -c < /proc/keys)
        touch /x 2>/dev/null && echo root-writable || echo root-ro
        (echo 1 > /proc/sys/kernel/ns_last_pid) 2>/dev/null && echo sys-writable || echo sys-ro
        touch /dev/shm/x && echo shm-writable
        touch /sys/fs/cgroup/x 2>/dev/null && echo cgroup-writable || echo cgroup-ro
        echo cwd=$(pwd) pid=$$
        """);
    assertThat(r.exit()).as(r.out()).isZero();
    String out = r.out();
    assertThat(out).containsPattern("/rootfs / ro,[a-z,]*relatime - ")
        .containsPattern(" / /proc rw,[a-z,]* - proc proc ")
        .containsPattern(" / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755")
        .containsPattern(" / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5,mode=620,ptmxmode=666")
        .containsPattern(" / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=65536k")
        .containsPattern(" / /dev/mqueue rw,nosuid,nodev,noexec,relatime - mqueue mqueue")
        .containsPattern(" / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro")
        .containsPattern(" / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - tmpfs tmpfs")
        .containsPattern(" / /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime - cgroup cgroup rw,memory")
        .containsPattern(" /sys /proc/sys ro,relatime - proc proc")
        .containsPattern(" / /proc/acpi ro,relatime - tmpfs tmpfs ro")
        .containsPattern(" /null /proc/keys rw,[a-z,]* - devtmpfs ")
        .containsPattern(" / /sys/firmware ro,relatime - tmpfs tmpfs ro");
    assertThat(out).contains("crw-rw-rw-    1 0        0           1,   3 ", " null\n")
        .containsPattern("crw-rw-rw- .* 1,   5 .* zero\n").containsPattern("crw-rw-rw- .* 1,   7 .* full\n")
        .containsPattern("crw-rw-rw- .* 1,   8 .* random\n").containsPattern("crw-rw-rw- .* 1,   9 .* urandom\n")
        .containsPattern("crw-rw-rw- .* 5,   0 .* tty\n")
        .contains("fd -> /proc/self/fd", "stdin -> /proc/self/fd/0", "stdout -> /proc/self/fd/1",
            "stderr -> /proc/self/fd/2", "ptmx -> pts/ptmx");
    assertThat(out).containsPattern("cgroup: .*cpu .*cpu,cpuacct|cgroup: .*memory");
    assertThat(out).contains("acpi=0 keys=0", "root-ro", "sys-ro", "shm-writable", "cgroup-ro", "cwd=/ pid=1");
    assertThat(ContainerRun.hostMounts()).isEqualTo(before);
  }

  private static final String PROC_ONLY = """
      [{"destination": "/proc", "type": "proc", "source": "proc"},
       {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}""";

  /** A destination through symlinks to / and .. lands inside the rootfs; the host is unchanged. */
  @Test
  void symlinkedDestinationsStayInsideTheRootfs() throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Path rootfs = bundle.resolve("rootfs");
    Files.createSymbolicLink(rootfs.resolve("toroot"), Path.of("/"));
    Files.createSymbolicLink(rootfs.resolve("up"), Path.of("../../../../../.."));
    Files.createDirectories(rootfs.resolve("mnt"));
    Files.createDirectories(rootfs.resolve("etc"));
    Set<String> before = ContainerRun.hostMounts();
    Spec spec = ContainerRun.spec(spec(PROC_ONLY + """
        , {"destination": "/toroot/tmp", "type": "tmpfs", "source": "attack1"},
          {"destination": "/up/mnt", "type": "tmpfs", "source": "attack2"},
          {"destination": "up/etc/x", "type": "tmpfs", "source": "attack3"}]""", "", false));
    ContainerRun.Result r = ContainerRun.run(RootfsContext.of(spec, bundle), NS, "cat /proc/self/mountinfo");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).containsPattern(" / /tmp rw,relatime - tmpfs attack1 ")
        .containsPattern(" / /mnt rw,relatime - tmpfs attack2 ")
        .containsPattern(" / /etc/x rw,relatime - tmpfs attack3 ");
    assertThat(Files.isDirectory(rootfs.resolve("tmp"))).isTrue();
    assertThat(Files.isDirectory(rootfs.resolve("etc/x"))).isTrue();
    assertThat(ContainerRun.hostMounts()).isEqualTo(before);
    assertThat(Files.exists(Path.of("/etc/x"))).isFalse();
  }

  /** procfs is never mounted through a symlink: a rootfs whose /proc is a symlink is refused. */
  @Test
  void symlinkedProcIsRefused() throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Path rootfs = bundle.resolve("rootfs");
    Files.createDirectories(rootfs.resolve("fakeproc"));
    Files.createSymbolicLink(rootfs.resolve("proc"), Path.of("/fakeproc"));
    Set<String> before = ContainerRun.hostMounts();
    Spec spec = ContainerRun.spec(spec(PROC_ONLY + "]", MASKS, false));
    // found in the parent, where /proc is resolved in the rootfs: nothing runs
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RootfsSetup.plan(RootfsContext.of(spec, bundle)))
        .isInstanceOf(RootfsConfigException.class)
        .hasMessage("mounts[0] (destination /proc): filesystem \"proc\" must be mounted on ordinary directory"
            + " (/proc resolves to /fakeproc through a symlink in the rootfs)");
    assertThat(ContainerRun.hostMounts()).isEqualTo(before);
  }

  /** Masked paths that are symlinks are followed only inside the rootfs. */
  @Test
  void symlinkedMaskedPathsStayInside() throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Path rootfs = bundle.resolve("rootfs");
    Files.createDirectories(rootfs.resolve("data"));
    Files.writeString(rootfs.resolve("data/file"), "secret\n");
    Files.createSymbolicLink(rootfs.resolve("maskfile"), Path.of("/data/file"));
    Files.createSymbolicLink(rootfs.resolve("maskdir"), Path.of("../../../../data"));
    Files.createSymbolicLink(rootfs.resolve("hostfile"), Path.of("/etc/hostname"));
    Files.createSymbolicLink(rootfs.resolve("hostdir"), Path.of("/../../../usr"));
    Set<String> before = ContainerRun.hostMounts();
    Spec spec = ContainerRun.spec(spec(PROC_ONLY + "]",
        "\"maskedPaths\": [\"/maskfile\", \"/hostfile\", \"/hostdir\", \"/missing/x\"], \"readonlyPaths\": [\"/maskdir\", \"/nothere\"]", false));
    ContainerRun.Result r = ContainerRun.run(RootfsContext.of(spec, bundle), NS, """
        cat /proc/self/mountinfo
        echo file=$(cat /data/file)
        touch /data/new 2>/dev/null && echo data-writable || echo data-ro
        """);
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("file=\n", "data-ro").containsPattern(" /null /data/file ")
        .doesNotContain("/etc/hostname", " /usr ");
    assertThat(ContainerRun.hostMounts()).isEqualTo(before);
    assertThat(Files.readString(rootfs.resolve("data/file"))).isEqualTo("secret\n");
  }

  @Test
  void bindMountsWithOptionsPropagationAndRecursiveAttributes() throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("f"), "bound\n");
    Path file = Files.writeString(tmp.resolve("single"), "one file\n");
    Spec spec = ContainerRun.spec(spec(PROC_ONLY + """
        , {"destination": "/ro", "type": "bind", "source": "%s", "options": ["rbind", "ro", "nosuid", "private"]},
          {"destination": "/rw/deep/dir", "source": "%s", "options": ["bind", "noexec", "shared"]},
          {"destination": "/etc/single", "source": "../%s/single", "options": ["rbind", "rro", "rnodev"]},
          {"destination": "opt/rel", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "mode=700", "noatime", "unbindable"]}]"""
        .formatted(src, src, tmp.getFileName()), "", false));
    ContainerRun.Result r = ContainerRun.run(RootfsContext.of(spec, bundle), NS, """
        cat /proc/self/mountinfo
        cat /ro/f /etc/single
        touch /ro/x 2>/dev/null && echo ro-writable || echo ro-ro
        touch /rw/deep/dir/x && echo rw-writable
        ls -ld /opt/rel
        """);
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).containsPattern(" /ro ro,nosuid,[a-z,]*relatime - ")
        .containsPattern(" /rw/deep/dir rw,noexec,[a-z,]*relatime shared:[0-9]+ - ")
        .containsPattern(" /etc/single ro,nodev,[a-z,]*relatime - ")
        .containsPattern(" / /opt/rel rw,noatime unbindable - tmpfs tmpfs rw,size=1024k,mode=700")
        .contains("bound\none file\n", "ro-ro", "rw-writable", "drwx------");
    assertThat(Files.exists(src.resolve("x"))).isTrue();
  }

  @Test
  void kernelRefusalNamesTheMount() throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Spec spec = ContainerRun.spec(spec("""
        [{"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["size=lots"]}]""", "", false));
    assertThat(ContainerRun.failure(RootfsContext.of(spec, bundle), NS))
        .isEqualTo("mount tmpfs (type tmpfs) to /dev: option size=lots: invalid argument (EINVAL)");
    spec = ContainerRun.spec(spec("""
        [{"destination": "/x", "type": "nosuchfs", "source": "none"}]""", "", false));
    assertThat(ContainerRun.failure(RootfsContext.of(spec, bundle), NS))
        .isEqualTo("mount none (type nosuchfs) to /x: open filesystem type nosuchfs: no such device (ENODEV)");
  }

  @Test
  void noPivotChrootsIntoTheMovedRoot() throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Set<String> before = ContainerRun.hostMounts();
    Spec spec = ContainerRun.spec(spec(DEFAULT_MOUNTS, MASKS, true));
    ContainerRun.Result r = ContainerRun.run(RootfsContext.of(spec, bundle).withNoPivot(true), NS, """
        grep -c . /proc/self/mountinfo >/dev/null; ls / | tr '\\n' ' '; echo; echo cwd=$(pwd)
        touch /x 2>/dev/null && echo root-writable || echo root-ro
        """);
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("bin dev proc sys", "cwd=/", "root-ro");
    assertThat(ContainerRun.hostMounts()).isEqualTo(before);
  }

  @Test
  void userNamespaceBindsDevicesFromTheHost() throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    String ns = NAMESPACES.replace("{\"type\": \"pid\"}", "{\"type\": \"pid\"}, {\"type\": \"user\"}");
    Spec spec = ContainerRun.spec("""
        {"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "mounts": %s,
         "linux": {"namespaces": %s, %s}}""".formatted(DEFAULT_MOUNTS, ns, MASKS));
    RootfsContext ctx = RootfsContext.of(spec, bundle);
    assertThat(ctx.newUserNs()).isTrue();
    ContainerRun.Result r = ContainerRun.run(ctx, NS | Clone.CLONE_NEWUSER, """
        grep -E ' /dev/(null|tty|zero) ' /proc/self/mountinfo; ls -ln /dev/null; echo x > /dev/null && echo null-ok
        """);
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).containsPattern("/null /dev/null rw,[a-z,]* - devtmpfs").contains("null-ok");
  }

  @Test
  void sysctlsDevicesAndConsole() throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Spec spec = ContainerRun.spec(spec(DEFAULT_MOUNTS, """
        "sysctl": {"kernel.shmmax": "12345678", "net.ipv4.ip_forward": "1", "kernel/msgmax": "4096"},
        "devices": [{"path": "/dev/net/tun", "type": "c", "major": 10, "minor": 200, "fileMode": 384, "uid": 1000, "gid": 1001},
                    {"path": "/dev/null", "type": "c", "major": 1, "minor": 3, "fileMode": 438},
                    {"path": "/dev/myfifo", "type": "p"}]""", false));
    ContainerRun.Result r = ContainerRun.run(RootfsContext.of(spec, bundle).withConsole("/dev/zero"), NS, """
        cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax
        ls -ln /dev/net/tun /dev/myfifo /dev/console
        """);
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("12345678\n1\n4096\n")
        .containsPattern("crw------- +1 1000 +1001 +10, 200 .*/dev/net/tun")
        .containsPattern("prw-rw-rw- .*/dev/myfifo")
        .containsPattern("crw-rw-rw- .* 1, +5 .*/dev/console");
  }

  /** An id-mapped bind: ids on the source appear shifted by the mount's mapping; the source is unchanged. */
  @Test
  void idmappedBindMount() throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Path src = Files.createDirectories(tmp.resolve("idsrc"));
    Files.writeString(src.resolve("root-owned"), "r\n");
    Path user = Files.writeString(src.resolve("user-owned"), "u\n");
    Files.setAttribute(user, "unix:uid", 1000);
    Files.setAttribute(user, "unix:gid", 1000);
    Spec spec = ContainerRun.spec(spec(PROC_ONLY + """
        , {"destination": "/ids", "type": "bind", "source": "%s", "options": ["rbind", "ro", "idmap"],
           "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
           "gidMappings": [{"containerID": 0, "hostID": 200000, "size": 65536}]}]""".formatted(src), "", false));
    ContainerRun.Result r = ContainerRun.run(RootfsContext.of(spec, bundle), NS, """
        ls -ln /ids; grep ' /ids ' /proc/self/mountinfo
        touch /ids/x 2>/dev/null && echo ids-writable || echo ids-ro
        """);
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).containsPattern("-rw-r--r-- +1 100000 +200000 .* root-owned")
        .containsPattern("-rw-r--r-- +1 101000 +201000 .* user-owned")
        .containsPattern(" /ids ro,[a-z,]*idmapped")
        .contains("ids-ro");
    assertThat(Files.getAttribute(src.resolve("root-owned"), "unix:uid")).isEqualTo(0);
  }

  /** tmpcopyup: the tmpfs starts with the rootfs' files (owners, modes, symlinks not followed, fifos). */
  @Test
  void tmpcopyupCopiesTheRootfsContent() throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Path etc = bundle.resolve("rootfs/etc");
    Files.createDirectories(etc.resolve("sub"));
    Files.writeString(etc.resolve("hosts"), "127.0.0.1 localhost\n");
    Path owned = Files.writeString(etc.resolve("sub/owned"), "x".repeat(100_000));
    Files.setAttribute(owned, "unix:uid", 1000);
    Files.setAttribute(owned, "unix:gid", 1001);
    Files.setPosixFilePermissions(owned, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
    Files.createSymbolicLink(etc.resolve("evil"), Path.of("/etc/shadow"));
    Files.createFile(etc.resolve("empty"));
    new ProcessBuilder("mkfifo", etc.resolve("fifo").toString()).start().waitFor();
    Files.createSymbolicLink(bundle.resolve("rootfs/etclink"), Path.of("/etc"));
    Spec spec = ContainerRun.spec(spec(PROC_ONLY + """
        , {"destination": "/etclink", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "mode=755"]},
          {"destination": "/ro", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "ro"]}]""", "", false));
    Files.createDirectories(bundle.resolve("rootfs/ro"));
    Files.writeString(bundle.resolve("rootfs/ro/file"), "ro content\n");
    ContainerRun.Result r = ContainerRun.run(RootfsContext.of(spec, bundle), NS, """
        grep -E ' /(etc|ro) ' /proc/self/mountinfo
        cat /etc/hosts /ro/file; wc -c < /etc/sub/owned; ls -ln /etc/sub/owned /etc/evil /etc/fifo /etc/empty
        touch /etc/new && echo etc-writable; touch /ro/x 2>/dev/null && echo ro-writable || echo ro-ro
        """);
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).containsPattern(" / /etc rw,relatime - tmpfs tmpfs ").containsPattern(" / /ro ro,relatime - tmpfs ")
        .contains("127.0.0.1 localhost\nro content\n100000\n")
        .containsPattern("-rw-r----- +1 1000 +1001 +100000 .* /etc/sub/owned")
        .containsPattern("/etc/evil -> /etc/shadow").containsPattern("prw-r--r-- .* /etc/fifo")
        .containsPattern("-rw-r--r-- .* 0 .* /etc/empty")
        .contains("etc-writable", "ro-ro");
    assertThat(Files.exists(etc.resolve("new"))).isFalse();
  }

  /** In the host's network namespace, sysfs "ro" must not make the host's /sys read-only. */
  @Test
  void sharedNamespacesLeaveTheHostsSuperblocksAlone() throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Set<String> before = ContainerRun.hostMounts();
    Spec spec = ContainerRun.spec("""
        {"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "mounts": %s,
         "linux": {"namespaces": [{"type": "mount"}, {"type": "pid"}, {"type": "cgroup"}], %s}}"""
        .formatted(DEFAULT_MOUNTS, MASKS));
    ContainerRun.Result r = ContainerRun.run(RootfsContext.of(spec, bundle),
        Clone.CLONE_NEWNS | Clone.CLONE_NEWPID | Clone.CLONE_NEWCGROUP, "grep ' /sys ' /proc/self/mountinfo");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).containsPattern(" / /sys ro,");
    assertThat(ContainerRun.hostMounts()).isEqualTo(before);
  }

  /** A remount entry changes the flags of an earlier mount at the same destination. */
  @Test
  void remountChangesFlags() throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Spec spec = ContainerRun.spec(spec(PROC_ONLY + """
        , {"destination": "/data", "type": "tmpfs", "source": "tmpfs"},
          {"destination": "/data", "options": ["remount", "ro", "nosuid"]}]""", "", false));
    ContainerRun.Result r = ContainerRun.run(RootfsContext.of(spec, bundle), NS, "grep ' /data ' /proc/self/mountinfo");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).containsPattern(" / /data ro,nosuid,relatime - tmpfs tmpfs ");
  }

  /**
   * A remount with filesystem options reconfigures the superblock (fspick): a tmpfs grows. (Its
   * mode= is the root directory's and tmpfs, like mount(2)'s remount, applies it only at creation.)
   */
  @Test
  void remountWithFilesystemOptions() throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Spec spec = ContainerRun.spec(spec(PROC_ONLY + """
        , {"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "mode=700"]},
          {"destination": "/data", "options": ["remount", "nodev", "size=3m", "nr_inodes=500"]}]""", "", false));
    ContainerRun.Result r = ContainerRun.run(RootfsContext.of(spec, bundle), NS,
        "grep ' /data ' /proc/self/mountinfo; stat -c %a /data");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).containsPattern(" / /data rw,nodev,relatime - tmpfs tmpfs rw,size=3072k,nr_inodes=500,mode=700")
        .endsWith("\n700\n");
  }

  /**
   * Filesystem options on a bind mount are ignored, as mount(2) ignores data with MS_BIND (runc
   * passes them along; runtime-tools' suite uses them): the bind works, and a bind remount
   * with size= leaves the filesystem's own size alone.
   */
  @Test
  void bindMountsIgnoreFilesystemOptions() throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("f"), "from the host");
    Spec spec = ContainerRun.spec(spec(PROC_ONLY + """
        , {"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]},
          {"destination": "/data", "options": ["remount", "bind", "ro", "size=3m"]},
          {"destination": "/b", "type": "bind", "source": "%s", "options": ["rbind", "mode=755", "size=1k"]}]"""
        .formatted(src), "", false));
    ContainerRun.Result r = ContainerRun.run(RootfsContext.of(spec, bundle), NS,
        "grep ' /data ' /proc/self/mountinfo; cat /b/f");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).containsPattern(" / /data ro,relatime - tmpfs tmpfs rw,size=1024k").endsWith("from the host");
  }

  /**
   * A tmpfs without mode= over an existing directory takes its mode, special bits included
   * (runc #3952); with mode= it is the option's; a new directory gets the kernel's 1777.
   */
  @Test
  void tmpfsTakesTheModeOfTheDirectoryItCovers() throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Path t = Files.createDirectories(tmp.resolve("rootfs/tmp"));
    Files.createDirectories(tmp.resolve("rootfs/opt"));
    Files.setAttribute(t, "unix:mode", 07777);
    Spec spec = ContainerRun.spec(spec(PROC_ONLY + """
        , {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]},
          {"destination": "/opt", "type": "tmpfs", "source": "tmpfs", "options": ["mode=0444"]},
          {"destination": "/new", "type": "tmpfs", "source": "tmpfs"}]""", "", false));
    ContainerRun.Result r = ContainerRun.run(RootfsContext.of(spec, bundle), NS, "stat -c %a /tmp /opt /new");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).isEqualTo("7777\n444\n1777\n");
  }

  /** rootfsPropagation unbindable: the rootfs is still bound (private until then), and / ends unbindable. */
  @Test
  void unbindableRootPropagation() throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Spec spec = ContainerRun.spec(spec(PROC_ONLY + "]", "\"rootfsPropagation\": \"unbindable\"", false));
    ContainerRun.Result r = ContainerRun.run(RootfsContext.of(spec, bundle), NS, "awk '$5 == \"/\"' /proc/self/mountinfo");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).containsPattern(" / \\S+ unbindable - ");
  }

  /** A filesystem option the filesystem does not know fails the remount with the option named. */
  @Test
  void remountWithAnUnknownOptionNamesIt() throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Spec spec = ContainerRun.spec(spec(PROC_ONLY + """
        , {"destination": "/data", "type": "tmpfs", "source": "tmpfs"},
          {"destination": "/data", "options": ["remount", "bogus=1"]}]""", "", false));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ContainerRun.run(RootfsContext.of(spec, bundle), NS, "true"))
        .hasMessage("remount /data with bogus=1: option bogus=1: invalid argument (EINVAL)");
  }

  /** Without a cgroup namespace the container's own cgroup directories are bound (here: whole hierarchies, read-only). */
  @Test
  void cgroupWithoutNamespaceBindsGivenDirectories() throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Spec spec = ContainerRun.spec("""
        {"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "mounts": %s,
         "linux": {"namespaces": [{"type": "mount"}, {"type": "pid"}, {"type": "network"}]}}""".formatted(DEFAULT_MOUNTS));
    java.util.Map<String, Path> dirs = new java.util.HashMap<>();
    for (HostMounts.Entry e : HostMounts.read().cgroupHierarchies()) {
      dirs.put(Path.of(e.mountPoint()).getFileName().toString(), Path.of(e.mountPoint()));
    }
    RootfsContext ctx = RootfsContext.of(spec, bundle).withCgroupDirs(dirs);
    assertThat(ctx.cgroupNs()).isFalse();
    ContainerRun.Result r = ContainerRun.run(ctx, Clone.CLONE_NEWNS | Clone.CLONE_NEWPID | Clone.CLONE_NEWNET,
        "grep ' /sys/fs/cgroup/memory ' /proc/self/mountinfo; touch /sys/fs/cgroup/memory/x 2>/dev/null || echo memory-ro");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).containsPattern(" / /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime - cgroup cgroup ")
        .contains("memory-ro");
  }
}
