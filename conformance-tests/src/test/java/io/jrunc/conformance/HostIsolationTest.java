package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrunc.core.api.Container;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.CreateOptions;
import io.jrunc.core.api.Stdio;
import io.jrunc.testsupport.RequiresRoot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: nothing of the host is reachable from a container between clone and execve. Each
 * attack is made as an attacker would, from inside the container, and judged from the host too
 * (hashes of the files the attack targets, files written on the host).
 */
@RequiresRoot("runs containers with namespaces and cgroups and inspects the host's files")
class HostIsolationTest {
  @TempDir Path tmp;

  /** What CVE-2019-5736 goes after: the runtime's own executable and the files it maps. */
  private static final Path JAVA = Path.of(ProcessHandle.current().info().command().orElse("/proc/self/exe"));
  private static final Path MODULES = Path.of(System.getProperty("java.home"), "lib", "modules");
  private static final Path JAR = Jrunc.REPO.resolve("runtime-cli/target/jrunc.jar");

  private static Map<Path, String> hashes() throws Exception {
    Map<Path, String> h = new LinkedHashMap<>();
    for (Path p : List.of(JAVA.toRealPath(), MODULES, JAR)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      try (var in = Files.newInputStream(p)) {
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
      }
      h.put(p, HexFormat.of().formatHex(md.digest()));
    }
    return h;
  }

  private Bundle writable(String name) throws IOException {
    Bundle b = Bundle.busybox(tmp.resolve(name));
    ((ObjectNode) b.config.get("root")).put("readonly", false);
    return b;
  }

  /**
   * CVE-2019-5736 through {@code #!/proc/self/exe}: the kernel runs whatever the exec child's
   * /proc/self/exe is, inside the container, with the image's ELF loader. The hostile loader
   * here reports the device and inode of /proc/self/exe into the container; with the JVM as
   * the child's image that was the host's bin/java. The stub is static, so no loader of the
   * image runs at all, and its exe is a sealed memfd.
   */
  @Test
  void shebangProcSelfExeReachesNoHostBinary() throws Exception {
    Map<Path, String> before = hashes();
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = writable("b").args("sleep", "60");
    Path rootfs = b.dir.resolve("rootfs");
    Files.writeString(rootfs.resolve("evil"), "#!/proc/self/exe\n");
    Files.setPosixFilePermissions(rootfs.resolve("evil"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(rootfs.resolve("lib64"));
    Files.write(rootfs.resolve("lib64/ld-linux-x86-64.so.2"), HostileLoader.elf());
    Files.setPosixFilePermissions(rootfs.resolve("lib64/ld-linux-x86-64.so.2"), PosixFilePermissions.fromString("rwxr-xr-x"));
    b.write();
    assertThat(j.run("run", "-d", "--bundle", b.dir.toString(), "shebang").exit()).isZero();
    try {
      for (int i = 0; i < 3; i++) j.run("exec", "shebang", "/evil");
      // and as the container's init
      Bundle init = writable("init").args("/evil");
      Files.copy(rootfs.resolve("evil"), init.dir.resolve("rootfs/evil"));
      Files.setPosixFilePermissions(init.dir.resolve("rootfs/evil"), PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.createDirectories(init.dir.resolve("rootfs/lib64"));
      Files.copy(rootfs.resolve("lib64/ld-linux-x86-64.so.2"), init.dir.resolve("rootfs/lib64/ld-linux-x86-64.so.2"));
      j.run("run", "--bundle", init.write().toString(), "shebang-init");
      for (Path r : List.of(rootfs, init.dir.resolve("rootfs"))) {
        Path stat = r.resolve("tmp/exe-stat");
        if (Files.exists(stat)) {
          ByteBuffer st = ByteBuffer.wrap(Files.readAllBytes(stat)).order(ByteOrder.nativeOrder());
          long ino = st.getLong(8);
          assertThat(ino).as("the image's loader ran with a host binary as /proc/self/exe")
              .isNotEqualTo(Files.getAttribute(JAVA.toRealPath(), "unix:ino"));
        }
      }
    } finally {
      j.run("delete", "--force", "shebang");
      j.run("delete", "--force", "shebang-init");
    }
    assertThat(hashes()).isEqualTo(before);
  }

  /**
   * CVE-2019-5736 through /proc/PID/exe and /proc/PID/fd, with CAP_SYS_PTRACE in the
   * container: a watcher in the container samples every process it can see while execs come
   * and go, and reads what /proc offers of them. No host file may show up, and no fd may be
   * opened for writing to one.
   */
  @Test
  void procOfTheExecChildShowsNothingOfTheHost() throws Exception {
    Map<Path, String> before = hashes();
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = writable("b").sh("""
        while :; do
          for p in /proc/[0-9]*; do
            [ "${p#/proc/}" = "$$" ] && continue
            readlink $p/exe >> /tmp/seen 2>/dev/null
            for f in $p/fd/*; do
              case ${f##*/} in 0|1|2) continue;; esac # stdio: what the caller gave, by design
              readlink $f >> /tmp/seen 2>/dev/null
              [ -f "$f" ] && (: >> $f) 2>/dev/null && echo "WROTE $(readlink $f)" >> /tmp/seen
            done
          done
        done""");
    for (String set : new String[] {"bounding", "effective", "permitted"}) {
      ((ArrayNode) b.process().get("capabilities").get(set)).add("CAP_SYS_PTRACE");
    }
    b.write();
    assertThat(j.run("run", "-d", "--bundle", b.dir.toString(), "ptrace").exit()).isZero();
    try {
      for (int i = 0; i < 40; i++) j.run("exec", "ptrace", "true");
      // a created, not yet started init, seen by a container in its pid namespace
      Bundle c = writable("c").args("true");
      String pidNs = "/proc/" + pid(j, "ptrace") + "/ns/pid";
      c.linux().withArray("namespaces").forEach(n -> {
        if (n.get("type").asText().equals("pid")) ((ObjectNode) n).put("path", pidNs);
      });
      assertThat(j.run("create", "--bundle", c.write().toString(), "ptrace-created").exit()).isZero();
      Thread.sleep(1500);
      j.run("delete", "--force", "ptrace-created");
      j.run("kill", "ptrace", "KILL");
      Thread.sleep(300);
    } finally {
      j.run("delete", "--force", "ptrace");
    }
    String seen = Files.readString(b.dir.resolve("rootfs/tmp/seen"));
    assertThat(seen).as("links the container saw").contains("memfd:jrunc").doesNotContain("WROTE");
    for (String line : seen.lines().distinct().toList()) {
      assertThat(line).as("a link seen from the container").doesNotContain("java").doesNotContain("jrunc.jar")
          .doesNotContain("/lib/modules").doesNotContain(tmp.resolve("root").toString() + "/ptrace/");
    }
    assertThat(hashes()).isEqualTo(before);
  }

  private static int pid(Jrunc j, String id) throws Exception {
    return Bundle.node(j.run("state", id).out()).get("pid").asInt();
  }

  /**
   * The child's exe, maps and fds as the host sees them at each point where it waits: paused
   * for the create-phase hooks (a createRuntime hook records them) and created, blocked on the
   * exec fifo. Nothing but the sealed stub, the program image, pipes and stdio.
   */
  @Test
  void atEveryPauseTheChildHoldsNothingOfTheHost() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    holdsNothingOfTheHost(j, Bundle.busybox(tmp.resolve("b")).args("true"), "paused");
  }

  /**
   * The same for the two spawn paths of a user namespace: a new one (IPC unshared once init is
   * root in it) and one joined by path, where init unshares the rest and forks into a new pid
   * namespace: the forked init holds nothing more of the host either.
   */
  @Test
  void inAUserNamespaceNewOrJoinedTheChildHoldsNothingOfTheHost() throws Exception {
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x")); // for uid 100000
    Jrunc j = new Jrunc(tmp.resolve("root"));
    holdsNothingOfTheHost(j, Bundle.busybox(tmp.resolve("u")).args("true").inUserNamespace(100000), "new-userns");
    Bundle owner = Bundle.busybox(tmp.resolve("o")).args("sleep", "100").inUserNamespace(100000);
    assertThat(j.run("run", "-d", "--bundle", owner.write().toString(), "owner").exit()).isZero();
    try {
      Bundle b = Bundle.busybox(tmp.resolve("j")).args("true").inUserNamespace(100000);
      for (var n : b.linux().get("namespaces")) {
        if (n.get("type").asText().equals("user")) ((ObjectNode) n).put("path", "/proc/" + pid(j, "owner") + "/ns/user");
      }
      holdsNothingOfTheHost(j, b, "joined-userns");
    } finally {
      j.run("delete", "--force", "owner");
    }
  }

  /**
   * CVE-2016-9962's class in a new user namespace: a process of the container holding
   * CAP_SYS_PTRACE there (an exec'd one, here) looks at the created init before start. The stub
   * was exec'd in the host's user namespace, so non-dumpable keeps it out: no exe, fds nor maps
   * (ptrace_may_access, the check an attach makes too). With the stub exec'd inside the new
   * namespace, each was readable and PTRACE_SEIZE succeeded. Its own /proc/self shows the probe
   * works.
   */
  @Test
  void aCreatedInitInANewUserNamespaceIsOutOfReachOfTheContainersPtrace() throws Exception {
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x")); // for uid 100000
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("p")).args("true").inUserNamespace(100000);
    for (String set : new String[] {"bounding", "effective", "permitted"}) {
      ((ArrayNode) b.process().get("capabilities").get(set)).add("CAP_SYS_PTRACE");
    }
    var cr = j.run("create", "--bundle", b.write().toString(), "traced");
    assertThat(cr.exit()).as(cr.toString()).isZero();
    try {
      var e = j.run("exec", "traced", "sh", "-c", """
          grep CapEff /proc/self/status; readlink /proc/self/exe
          readlink /proc/1/exe && echo "REACHED exe"
          ls /proc/1/fd 2>/dev/null | grep -q . && echo "REACHED fds"
          cat /proc/1/maps >/dev/null 2>&1 && echo "REACHED maps"
          true""");
      assertThat(e.exit()).as(e.toString()).isZero();
      assertThat(e.out()).as("the exec'd process holds CAP_SYS_PTRACE (bit 19) and can read its own /proc")
          .containsPattern("CapEff:\\s+[0-9a-f]*[8-9a-f][0-9a-f]{4}\\n").contains("/bin/busybox\n");
      assertThat(e.out()).as(e.toString()).doesNotContain("REACHED");
      assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid(j, "traced") + "/exe")).toString()).startsWith("/memfd:jrunc");
    } finally {
      j.run("delete", "--force", "traced");
    }
  }

  private void holdsNothingOfTheHost(Jrunc j, Bundle b, String id) throws Exception {
    Path report = tmp.resolve("at-hooks-" + id);
    Path hook = tmp.resolve("hook-" + id + ".sh");
    Files.writeString(hook, "#!/bin/sh\npid=$(sed 's/.*\"pid\": *\\([0-9]*\\).*/\\1/')\n"
        + "{ readlink /proc/$pid/exe; cat /proc/$pid/maps; ls -l /proc/$pid/fd | sed 1d; } > " + report + "\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    ObjectNode h = b.config.putObject("hooks").putArray("createRuntime").addObject().put("path", hook.toString());
    h.putArray("args").add(hook.toString());
    var cr = j.run("create", "--bundle", b.write().toString(), id);
    assertThat(cr.exit()).as(cr.toString()).isZero();
    try {
      int pid = pid(j, id);
      List<String> created = new ArrayList<>();
      created.add(Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString());
      created.addAll(Files.readAllLines(Path.of("/proc/" + pid + "/maps")));
      try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
        for (Path fd : fds) created.add(Files.readSymbolicLink(fd).toString());
      }
      for (List<String> stage : List.of(Files.readAllLines(report), created)) {
        assertThat(stage.get(0)).startsWith("/memfd:jrunc");
        for (String line : stage) {
          assertThat(line).as("exe, maps and fds of the child").doesNotContain("java").doesNotContain(".jar")
              .doesNotContain("/lib/").doesNotContain("/lock").doesNotContain("/usr/");
        }
      }
      String maps = String.join("\n", created);
      assertThat(maps).contains("memfd:jrunc:program").doesNotContain("libjvm");
    } finally {
      j.run("delete", "--force", id);
    }
  }

  /**
   * CVE-2024-21626 through a directory fd the caller leaves open: {@code exec 7<dir; jrunc run}
   * with cwd /proc/self/fd/7. Not inherited, the fd does not exist in the container; inherited
   * on purpose (--preserve-fds), the cwd is outside the root and refused. (--preserve-fds 5 is
   * fds 3..7: 3..6 are passed too, /dev/null, as a caller must: a number left closed is refused.)
   */
  @Test
  void anInheritedDirectoryFdIsNeverTheCwd() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Path host = Files.createDirectories(tmp.resolve("host-dir"));
    Bundle b = writable("b").sh("touch escaped; pwd");
    b.process().put("cwd", "/proc/self/fd/7");
    b.write();
    for (String preserve : new String[] {"0", "5"}) {
      var r = shell(j, NULLS_3_TO_6 + "exec 7<" + host + "; exec " + Jrunc.LAUNCHER + " --root " + j.root() + " run --preserve-fds "
          + preserve + " --bundle " + b.dir + " leak" + preserve);
      assertThat(r.exit()).as(r.toString()).isNotZero();
      assertThat(r.err()).as(r.toString()).containsAnyOf("chdir to cwd /proc/self/fd/7", "outside of container");
    }
    Bundle sleeper = writable("s").args("sleep", "60");
    assertThat(j.run("run", "-d", "--bundle", sleeper.write().toString(), "leak-exec").exit()).isZero();
    try {
      for (String preserve : new String[] {"0", "5"}) {
        var r = shell(j, NULLS_3_TO_6 + "exec 7<" + host + "; exec " + Jrunc.LAUNCHER + " --root " + j.root() + " exec --preserve-fds "
            + preserve + " --cwd /proc/self/fd/7 leak-exec touch escaped");
        assertThat(r.exit()).as(r.toString()).isEqualTo(255);
      }
    } finally {
      j.run("delete", "--force", "leak-exec");
    }
    assertThat(host.resolve("escaped")).doesNotExist();
    try (var s = Files.list(host)) {
      assertThat(s.toList()).isEmpty();
    }
  }

  /** The same through the Java API: the embedding application holds a DirectoryStream open. */
  @Test
  void anOpenDirectoryStreamOfTheEmbedderIsNeverTheCwd() throws Exception {
    Path host = Files.createDirectories(tmp.resolve("api-dir"));
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    try (DirectoryStream<Path> open = Files.newDirectoryStream(host)) {
      int fd = -1;
      try (var fds = Files.list(Path.of("/proc/self/fd"))) {
        for (Path p : fds.toList()) {
          try {
            if (Files.readSymbolicLink(p).equals(host)) fd = Integer.parseInt(p.getFileName().toString());
          } catch (IOException gone) {
            // the listing's own fd
          }
        }
      }
      assertThat(fd).as("the stream's fd").isPositive();
      Bundle b = writable("b").sh("touch escaped");
      b.process().put("cwd", "/proc/self/fd/" + fd);
      String id = "api-leak-" + ProcessHandle.current().pid();
      try {
        Container c = rt.create(id, CreateOptions.bundle(b.write()));
        c.start();
        c.waitFor();
      } catch (io.jrunc.core.api.ContainerException refused) {
        assertThat(refused.getMessage()).contains("cwd");
      } finally {
        try {
          rt.get(id).delete(true);
        } catch (Exception gone) {
          // refused before anything was made
        }
      }
      assertThat(open).isNotNull();
    }
    try (var s = Files.list(host)) {
      assertThat(s.toList()).isEmpty();
    }
  }

  /**
   * Concurrent creates through the API: no child holds another container's pipe ends, so a
   * started container's stdout reaches EOF when it exits, whatever its neighbours do.
   */
  @Test
  void concurrentCreatesDoNotHoldEachOthersPipes() throws Exception {
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Container> waiting = new ArrayList<>();
    try {
      for (int round = 0; round < 6; round++) {
        String a = "pipes-a" + round + "-" + ProcessHandle.current().pid();
        String bId = "pipes-b" + round + "-" + ProcessHandle.current().pid();
        Bundle ba = Bundle.busybox(tmp.resolve("a" + round)).sh("echo a");
        Bundle bb = Bundle.busybox(tmp.resolve("b" + round)).sh("echo b");
        Path pa = ba.write(), pb = bb.write();
        Future<Container> fa = pool.submit(() -> rt.create(a, CreateOptions.bundle(pa).withStdio(Stdio.pipes())));
        Future<Container> fb = pool.submit(() -> rt.create(bId, CreateOptions.bundle(pb).withStdio(Stdio.pipes())));
        Container ca = fa.get(60, TimeUnit.SECONDS);
        Container cb = fb.get(60, TimeUnit.SECONDS);
        waiting.add(ca);
        cb.start();
        Future<byte[]> out = pool.submit(() -> cb.stdout().readAllBytes());
        assertThat(new String(out.get(20, TimeUnit.SECONDS))).as("round " + round).isEqualTo("b\n");
        cb.waitFor();
        cb.delete(false);
      }
    } finally {
      for (Container c : waiting) c.delete(true);
      pool.shutdownNow();
    }
  }

  private static final String NULLS_3_TO_6 = "exec 3</dev/null 4</dev/null 5</dev/null 6</dev/null; ";

  private static Jrunc.Result shell(Jrunc j, String script) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("/bin/bash", "-c", script);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Path out = Files.createTempFile("out", ".txt"), err = Files.createTempFile("err", ".txt");
    try {
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      Process p = pb.start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + script);
      }
      return new Jrunc.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out); // not left in /tmp by every run of the suite
      Files.deleteIfExists(err);
    }
  }

  /**
   * A static x86-64 ELF that plays an image's hostile dynamic loader: it opens /proc/self/exe,
   * and writes the raw {@code struct stat} of what it got (st_dev at 0, st_ino at 8) to
   * /tmp/exe-stat in the container. It never writes to the file it opened.
   */
  static final class HostileLoader {
    static byte[] elf() {
      ByteBuffer code = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
      int base = 120; // code follows the ELF header and one program header
      // lea rdi, [rip+path] ; xor esi, esi ; xor edx, edx ; mov eax, 2 (open) ; syscall
      int leaPath = code.position();
      code.put(new byte[] {0x48, (byte) 0x8d, 0x3d, 0, 0, 0, 0});
      code.put(new byte[] {0x31, (byte) 0xf6, 0x31, (byte) 0xd2, (byte) 0xb8, 2, 0, 0, 0, 0x0f, 0x05});
      // mov r12, rax ; sub rsp, 256 ; mov rdi, r12 ; mov rsi, rsp ; mov eax, 5 (fstat) ; syscall
      code.put(new byte[] {0x49, (byte) 0x89, (byte) 0xc4, 0x48, (byte) 0x81, (byte) 0xec, 0, 1, 0, 0});
      code.put(new byte[] {0x4c, (byte) 0x89, (byte) 0xe7, 0x48, (byte) 0x89, (byte) 0xe6, (byte) 0xb8, 5, 0, 0, 0, 0x0f, 0x05});
      // lea rdi, [rip+out] ; mov esi, O_WRONLY|O_CREAT|O_TRUNC ; mov edx, 0644 ; mov eax, 2 ; syscall
      int leaOut = code.position();
      code.put(new byte[] {0x48, (byte) 0x8d, 0x3d, 0, 0, 0, 0});
      code.put(new byte[] {(byte) 0xbe, 0x41, 2, 0, 0, (byte) 0xba, (byte) 0xa4, 1, 0, 0, (byte) 0xb8, 2, 0, 0, 0, 0x0f, 0x05});
      // mov rdi, rax ; mov rsi, rsp ; mov edx, 144 ; mov eax, 1 (write) ; syscall
      code.put(new byte[] {0x48, (byte) 0x89, (byte) 0xc7, 0x48, (byte) 0x89, (byte) 0xe6, (byte) 0xba, (byte) 144, 0, 0, 0,
          (byte) 0xb8, 1, 0, 0, 0, 0x0f, 0x05});
      // xor edi, edi ; mov eax, 231 (exit_group) ; syscall
      code.put(new byte[] {0x31, (byte) 0xff, (byte) 0xb8, (byte) 231, 0, 0, 0, 0x0f, 0x05});
      int path = code.position();
      code.put("/proc/self/exe\0".getBytes());
      int out = code.position();
      code.put("/tmp/exe-stat\0".getBytes());
      code.putInt(leaPath + 3, path - (leaPath + 7));
      code.putInt(leaOut + 3, out - (leaOut + 7));
      int len = code.position();
      ByteBuffer b = ByteBuffer.allocate(base + len).order(ByteOrder.LITTLE_ENDIAN);
      b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
      b.putShort((short) 3).putShort((short) 62).putInt(1); // ET_DYN, x86-64
      b.putLong(base).putLong(64).putLong(0).putInt(0);     // entry, phoff, shoff, flags
      b.putShort((short) 64).putShort((short) 56).putShort((short) 1).putShort((short) 64).putShort((short) 0).putShort((short) 0);
      b.putInt(1).putInt(5).putLong(0).putLong(0).putLong(0); // PT_LOAD R+X, offset 0 at 0
      b.putLong(base + len).putLong(base + len).putLong(0x1000);
      b.put(code.array(), 0, len);
      return b.array();
    }
  }
}
