package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrunc.spec.Json;
import io.jrunc.testsupport.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The escapes runc has had, tried against jrunc from inside a container; the host must not change. */
@RequiresRoot("runs containers with namespaces and cgroups")
class HardeningTest {
  @TempDir Path tmp;

  @Test
  void onlyStdioReachesTheContainer() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh("ls /proc/self/fd | tr '\\n' ' '");
    var r = j.run("run", "--bundle", b.write().toString(), "fds");
    assertThat(r.out()).as(r.toString()).isEqualTo("0 1 2 3 "); // 3 is ls's own directory fd
  }

  /**
   * --preserve-fds passes only what the caller passed. A number it left closed is not a hole in
   * jrunc: the JVM's lib/modules and jrunc's own state lock, exec fifo, memfd, cgroup directory
   * and sync pipes take the lowest free numbers, and went to the container (crun's test suite,
   * preserve-fds-some). Refused, as runc refuses ("unable to stat preserved-fd"), for run and
   * exec; with the fds passed, the container has exactly those.
   */
  @Test
  void preserveFdsPassesOnlyTheCallersFds() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("ls", "-l", "/proc/self/fd"); // 6 is ls's own directory fd
    String bundle = b.write().toString();
    var refused = j.runInBash("run --preserve-fds 3 --bundle " + bundle + " holes </dev/null");
    assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
    assertThat(refused.err()).contains("--preserve-fds 3: preserved-fd 0 (fd 3)").contains("not passed to jrunc");
    assertThat(j.run("list", "-q").out()).isEmpty();

    var r = j.runInBash("run --preserve-fds 3 --bundle " + bundle + " passed </dev/null 3</dev/null 4</dev/null 5<" + bundle
        + "/config.json");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains(" 3 -> /dev/null\n", " 4 -> /dev/null\n", " 5 -> " + bundle + "/config.json\n")
        .doesNotContain(" 7 -> ").doesNotContain("modules").doesNotContain("memfd")
        .doesNotContain("cgroup").doesNotContain("/lock").doesNotContain("exec.fifo");
    // stdout and stderr are the relay's pipes (the test's are files: StdioRelay); no pipe beyond them
    assertThat(r.out().lines().filter(l -> l.contains("pipe:")).map(l -> l.replaceAll(".* (\\d+) -> pipe:.*", "$1")))
        .containsOnly("1", "2");

    Bundle s = Bundle.busybox(tmp.resolve("s")).args("sleep", "100");
    assertThat(j.run("run", "-d", "--bundle", s.write().toString(), "preserve-exec").exit()).isZero();
    try {
      var e = j.runInBash("exec --preserve-fds 2 preserve-exec true </dev/null");
      assertThat(e.exit()).as(e.toString()).isEqualTo(255);
      assertThat(e.err()).contains("--preserve-fds 2: preserved-fd 0 (fd 3)").contains("not passed to jrunc");
    } finally {
      j.run("delete", "--force", "preserve-exec");
    }
  }

  @Test
  void noLeakedDirectoryCanBecomeTheCwd() throws Exception {
    // CVE-2024-21626: cwd /proc/self/fd/N through a leaked host directory fd
    Jrunc j = new Jrunc(tmp.resolve("root"));
    for (int fd = 3; fd < 20; fd++) {
      Bundle b = Bundle.busybox(tmp.resolve("b" + fd)).sh("pwd");
      b.process().put("cwd", "/proc/self/fd/" + fd);
      var r = j.run("run", "--bundle", b.write().toString(), "cwd" + fd);
      assertThat(r.exit()).as("cwd fd " + fd + ": " + r).isNotZero();
      assertThat(r.err()).contains("chdir to cwd /proc/self/fd/" + fd);
    }
    assertThat(j.run("list", "-q").out()).isEmpty();
  }

  /**
   * CVE-2025-31133 class: a masked path must never be bound from what the image's /dev/null
   * names (runc bound the container's /dev/null, which a symlink could turn into a writable
   * procfs file such as core_pattern). Without a /dev tmpfs the image's /dev is used; its null
   * here is a symlink to /proc/sys/kernel/core_pattern: the run is refused (the default device
   * would be made inside /proc) and nothing is left. With the default /dev, a masked file
   * (/proc/kcore, or /proc/timer_list where the kernel has no kcore) is the host's null device
   * (1:3) and a write to it goes nowhere. core_pattern is compared from the host.
   */
  @Test
  void anImagesDevNullSymlinkNeverBecomesAMask() throws Exception {
    Path core = Path.of("/proc/sys/kernel/core_pattern");
    byte[] before = Files.readAllBytes(core);
    Jrunc j = new Jrunc(tmp.resolve("root"));
    // a file of the default maskedPaths that this kernel has (kcore needs CONFIG_PROC_KCORE)
    String masked = java.util.stream.Stream.of("/proc/kcore", "/proc/timer_list", "/proc/keys")
        .filter(p -> Files.exists(Path.of(p))).findFirst().orElseThrow();
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh("echo '|/bin/evil' > " + masked + "; echo tried").withoutDevTmpfs();
    Files.createSymbolicLink(b.dir.resolve("rootfs/dev/null"), core);
    var r = j.run("run", "--bundle", b.write().toString(), "devnull");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).doesNotContain("tried");
    assertThat(r.err()).contains("default device /dev/null").contains("inside /proc");
    assertThat(j.run("list", "-q").out()).isEmpty();
    assertThat(Files.readSymbolicLink(b.dir.resolve("rootfs/dev/null"))).isEqualTo(core);

    Bundle d = Bundle.busybox(tmp.resolve("d")).sh("stat -c %t:%T " + masked + "; echo '|/bin/evil' > " + masked + " && echo written");
    var r2 = j.run("run", "--bundle", d.write().toString(), "kcore");
    assertThat(r2.exit()).as(r2.toString()).isZero();
    assertThat(r2.out()).isEqualTo("1:3\nwritten\n");
    assertThat(Files.readAllBytes(core)).isEqualTo(before);
  }

  /**
   * CVE-2025-52881 class: the runtime's writes into procfs (here a sysctl) cannot be redirected
   * to another file by a mount over the procfs path: a bind onto /proc/sys/net/ipv4/ip_forward
   * is refused before anything runs, and the host file that bind named is unchanged.
   */
  @Test
  void aSysctlWriteCannotBeRedirectedByAMountOverProcfs() throws Exception {
    Path target = Files.writeString(tmp.resolve("host-file"), "original\n");
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("true");
    ((ArrayNode) b.config.get("mounts")).addObject().put("destination", "/proc/sys/net/ipv4/ip_forward")
        .put("type", "bind").put("source", target.toString()).putArray("options").add("bind");
    b.linux().putObject("sysctl").put("net.ipv4.ip_forward", "1");
    var r = j.run("run", "--bundle", b.write().toString(), "sysctl");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("(destination /proc/sys/net/ipv4/ip_forward)").contains("inside /proc");
    assertThat(Files.readString(target)).isEqualTo("original\n");
    assertThat(j.run("list", "-q").out()).isEmpty();
  }

  /**
   * CVE-2022-29162 class: {@code exec --cap} adds the capability to the bounding, permitted and
   * effective sets (as runc does) but never to the inheritable set, from which a program with
   * file capabilities would gain it across execve; init's inheritable set is empty too.
   */
  @Test
  void execCapNeverFillsTheInheritableSet() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("sleep", "100");
    assertThat(j.run("run", "-d", "--bundle", b.write().toString(), "caps").exit()).isZero();
    try {
      var r = j.run("exec", "--cap", "CAP_NET_ADMIN", "caps", "grep", "^Cap", "/proc/self/status", "/proc/1/status");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).contains("/proc/self/status:CapInh:\t0000000000000000", "/proc/1/status:CapInh:\t0000000000000000",
          "/proc/self/status:CapAmb:\t0000000000000000");
      long eff = Long.parseLong(r.out().replaceAll("(?s).*/proc/self/status:CapEff:\t([0-9a-f]+).*", "$1"), 16);
      assertThat(eff & (1L << 12)).as("CAP_NET_ADMIN effective").isNotZero();
    } finally {
      j.run("delete", "--force", "caps");
    }
  }

  @Test
  void aCreatedInitCannotBeReachedThroughProcFromTheContainer() throws Exception {
    // CVE-2019-5736 class: before start, init is still a copy of the JVM; it is not dumpable,
    // so a process in the container cannot open its /proc/<pid>/exe (the host's java) or fds
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("true");
    assertThat(j.run("create", "--bundle", b.write().toString(), "c").exit()).isZero();
    try {
      // (the names in /proc/1/fd can be listed by root, as for any non-dumpable process; the
      // fds themselves need ptrace access)
      var r = j.run("exec", "c", "sh", "-c",
          "cat /proc/1/exe > /dev/null && echo READ-EXE; for f in /proc/1/fd/*; do readlink $f && echo LINK; cat $f </dev/null >/dev/null && echo OPEN; done; true");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).doesNotContain("READ-EXE").doesNotContain("LINK").doesNotContain("OPEN");
      assertThat(r.err()).contains("Permission denied");
    } finally {
      j.run("delete", "--force", "c");
    }
  }

  @Test
  void seccompKillErrnoRetAndPodmansDefaultProfile() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    // a profile of our own: mkdir is killed (SIGSYS: 128+31), rmdir fails with ENOSPC (errnoRet 28)
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh("rmdir /tmp/nothing 2>&1; exec mkdir /tmp/x");
    ((ObjectNode) b.config.get("root")).put("readonly", false);
    ObjectNode sc = b.linux().putObject("seccomp").put("defaultAction", "SCMP_ACT_ALLOW");
    sc.putArray("architectures").add("SCMP_ARCH_X86_64");
    ArrayNode rules = sc.putArray("syscalls");
    ObjectNode kill = rules.addObject().put("action", "SCMP_ACT_KILL");
    kill.putArray("names").add("mkdir").add("mkdirat");
    ObjectNode errno = rules.addObject().put("action", "SCMP_ACT_ERRNO").put("errnoRet", 28);
    errno.putArray("names").add("rmdir");
    var r = j.run("run", "--bundle", b.write().toString(), "sc1");
    assertThat(r.exit()).as(r.toString()).isEqualTo(159);
    assertThat(r.out()).contains("No space left on device");
    assertThat(Files.exists(b.dir.resolve("rootfs/tmp/x"))).isFalse();
    // podman's default profile, read from the Debian package that ships it
    Path podman = Path.of("/usr/share/containers/seccomp.json");
    assertThat(podman).as("containers-common's seccomp.json (installed by .ci/run)").exists();
    Bundle p = Bundle.busybox(tmp.resolve("p")).sh("echo ok; swapoff /dev/null 2>&1; grep Seccomp: /proc/self/status");
    p.linux().set("seccomp", Json.mapper().readTree(Files.readAllBytes(podman)));
    var pr = j.run("run", "--bundle", p.write().toString(), "sc2");
    assertThat(pr.exit()).as(pr.toString()).isZero();
    assertThat(pr.out()).startsWith("ok\n").contains("Operation not permitted").contains("Seccomp:\t2");
  }

  /**
   * The compiled filter a CLI create keeps in the state root (SeccompCache) is used again only
   * for the same profile, holds in the container when it is, and a damaged file is compiled
   * around; checked from inside the containers.
   */
  @Test
  void aCachedSeccompFilterHoldsAndServesOnlyItsOwnProfile() throws Exception {
    Path root = tmp.resolve("root");
    Jrunc j = new Jrunc(root);
    // the first create of a fresh root compiles before the root exists: nothing is kept
    var r = j.run("run", "--bundle", withDenied("m0", "mkdir").write().toString(), "cache-0");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("No space left on device").doesNotContain("mkdir-worked");
    try (var files = Files.list(root)) {
      assertThat(files.filter(f -> f.getFileName().toString().startsWith("seccomp@"))).isEmpty();
    }
    r = j.run("run", "--bundle", withDenied("m1", "mkdir").write().toString(), "cache-1");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("No space left on device").doesNotContain("mkdir-worked");
    java.util.List<Path> cached;
    try (var files = Files.list(root)) {
      cached = files.filter(f -> f.getFileName().toString().startsWith("seccomp@")).toList();
    }
    assertThat(cached).hasSize(1);
    var written = Files.getLastModifiedTime(cached.get(0));
    Thread.sleep(20);

    // the same profile in another bundle: from the cache (the file is not written again)
    r = j.run("run", "--bundle", withDenied("m2", "mkdir").write().toString(), "cache-2");
    assertThat(r.out()).as(r.toString()).contains("No space left on device").doesNotContain("mkdir-worked");
    assertThat(Files.getLastModifiedTime(cached.get(0))).isEqualTo(written);
    assertThat(j.run("list", "-q").out()).isEmpty(); // the cache file is no container

    // another profile gets its own filter: mkdir works, rmdir is denied
    r = j.run("run", "--bundle", withDenied("r1", "rmdir").write().toString(), "cache-3");
    assertThat(r.out()).as(r.toString()).contains("mkdir-worked").contains("No space left on device");

    // a damaged entry is compiled around, and the filter still holds
    Files.write(cached.get(0), new byte[] {0, 0, 0, 5, 'j', 'u', 'n', 'k'});
    r = j.run("run", "--bundle", withDenied("m3", "mkdir").write().toString(), "cache-4");
    assertThat(r.out()).as(r.toString()).contains("No space left on device").doesNotContain("mkdir-worked");
  }

  /** A bundle that tries mkdir and rmdir, with a profile that fails {@code syscall} with ENOSPC. */
  private Bundle withDenied(String dir, String syscall) throws java.io.IOException {
    Bundle b = Bundle.busybox(tmp.resolve(dir)).sh("mkdir /tmp/made 2>&1 && echo mkdir-worked; rmdir /tmp/nothing 2>&1; true");
    ((ObjectNode) b.config.get("root")).put("readonly", false);
    ObjectNode sc = b.linux().putObject("seccomp").put("defaultAction", "SCMP_ACT_ALLOW");
    sc.putArray("architectures").add("SCMP_ARCH_X86_64");
    ObjectNode errno = sc.putArray("syscalls").addObject().put("action", "SCMP_ACT_ERRNO").put("errnoRet", 28);
    errno.putArray("names").add(syscall).add(syscall + "at");
    return b;
  }

  /**
   * A profile owes the runtime nothing but the last syscalls before execve: one that refuses
   * close_range, dup3, sched_setaffinity and (with no_new_privs) prctl still runs the
   * container, through create/start and run (runtime-tools' default profile has no
   * close_range).
   */
  @Test
  void aStrictProfileNeedNotAllowTheRuntimesOwnSyscalls() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    for (boolean nnp : new boolean[] {true, false}) {
      Bundle b = Bundle.busybox(tmp.resolve("strict-" + nnp)).sh("echo ran; grep Seccomp: /proc/self/status");
      b.process().put("noNewPrivileges", nnp);
      ObjectNode sc = b.linux().putObject("seccomp").put("defaultAction", "SCMP_ACT_ALLOW");
      ObjectNode deny = sc.putArray("syscalls").addObject().put("action", "SCMP_ACT_ERRNO").put("errnoRet", 1);
      ArrayNode names = deny.putArray("names").add("close_range").add("dup3").add("sched_setaffinity");
      // without no_new_privs the filter needs CAP_SYS_ADMIN, so it comes before capset and the
      // prctls of the user switch (KEEPCAPS, ambient), in runc as here
      if (nnp) names.add("prctl");
      b.write();
      var r = j.run("run", "--bundle", b.dir.toString(), "strict-run-" + nnp);
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).isEqualTo("ran\nSeccomp:\t2\n");
      String id = "strict-create-" + nnp;
      b.sh("echo ran > /tmp/out; sleep 100");
      ((ObjectNode) b.config.get("root")).put("readonly", false);
      b.write();
      assertThat(j.run("create", "--bundle", b.dir.toString(), id).exit()).isZero();
      try {
        assertThat(j.run("start", id).exit()).isZero();
        Path file = b.dir.resolve("rootfs/tmp/out");
        // the shell creates the file before it writes to it: wait for the line
        for (int i = 0; i < 100 && !(Files.exists(file) && Files.size(file) > 0); i++) Thread.sleep(50);
        assertThat(file).hasContent("ran");
        assertThat(Bundle.node(j.run("state", id).out()).get("status").asText()).isEqualTo("running");
      } finally {
        j.run("delete", "--force", id);
      }
    }
  }
}
