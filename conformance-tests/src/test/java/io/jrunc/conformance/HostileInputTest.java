package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrunc.spec.Json;
import io.jrunc.testsupport.RequiresRoot;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 items 6 and 7: bad input never crashes, hangs or leaks. Hostile files where jrunc
 * reads (config.json, the image's /etc/passwd) end in one quick error naming the file and the
 * limit, with no state directory and no cgroup left; a state.json with fields of the wrong type
 * is refused by every command, and {@code delete --force} still kills the container (checked
 * from the host: its processes are gone, its cgroup too) before it removes the record.
 */
@Timeout(180)
@RequiresRoot("runs containers in cgroups of its own")
class HostileInputTest {
  /** Our own cgroup parent (issue 11's rule for helpers' tests), removed after each test. */
  private static final String PARENT = "jrunc-input-" + ProcessHandle.current().pid();
  private static final AtomicInteger COUNTER = new AtomicInteger();
  /** A command that takes longer is a hang: the old code blocked forever on a FIFO config.json. */
  private static final long QUICK_SECONDS = 30;

  @TempDir Path tmp;
  private Jrunc j;

  @BeforeEach
  void setUp() {
    j = new Jrunc(tmp.resolve("root"));
  }

  @AfterEach
  void removeOurCgroups() throws IOException {
    for (Path h : hierarchies()) {
      Path parent = h.resolve(PARENT);
      if (!Files.isDirectory(parent)) continue;
      try (var s = Files.walk(parent)) {
        for (Path d : s.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
          try {
            Files.delete(d);
          } catch (IOException ignored) {
            // still busy: the test that left it has failed already
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- item 6: unbounded reads

  @Test
  void configJsonLinkedToDevZeroIsRefused() throws Exception {
    Bundle b = bundle("zero");
    b.write();
    Files.delete(b.dir.resolve("config.json"));
    Files.createSymbolicLink(b.dir.resolve("config.json"), Path.of("/dev/zero"));
    assertRefusedCleanly(b, "input-zero", "config.json", b.dir.resolve("config.json").toString(), "character device");
  }

  @Test
  void configJsonThatIsAFifoIsRefusedWithoutHanging() throws Exception {
    Bundle b = bundle("fifo");
    b.write();
    Files.delete(b.dir.resolve("config.json"));
    mkfifo(b.dir.resolve("config.json"));
    assertRefusedCleanly(b, "input-fifo", "config.json", b.dir.resolve("config.json").toString(), "FIFO");
  }

  @Test
  void sparseTwoGigabyteConfigJsonIsRefusedBeforeItIsRead() throws Exception {
    Bundle b = bundle("sparse");
    b.write();
    try (RandomAccessFile f = new RandomAccessFile(b.dir.resolve("config.json").toFile(), "rw")) {
      f.setLength(2L << 30);
    }
    assertRefusedCleanly(b, "input-sparse", "config.json", b.dir.resolve("config.json").toString(), "2147483648 bytes",
        "16 MiB");
  }

  @Test
  void sparseThreeGigabytePasswdInTheImageIsRefused() throws Exception {
    // a non-root user without HOME: jrunc looks the user up in the image's /etc/passwd
    Bundle b = bundle("passwd");
    ((ObjectNode) b.process().get("user")).put("uid", 1000).put("gid", 1000);
    b.write();
    Path passwd = b.dir.resolve("rootfs/etc/passwd");
    try (RandomAccessFile f = new RandomAccessFile(passwd.toFile(), "rw")) {
      f.setLength(3L << 30);
    }
    assertRefusedCleanly(b, "input-passwd", "/etc/passwd", passwd.toString(), "3221225472 bytes", "16 MiB");
  }

  @Test
  void passwdWithAnEndlessLineIsRefused() throws Exception {
    // 100 KiB without a newline (runc's bufio.Scanner fails on 64 KiB too)
    Bundle b = bundle("line");
    ((ObjectNode) b.process().get("user")).put("uid", 1000).put("gid", 1000);
    b.write();
    Path passwd = b.dir.resolve("rootfs/etc/passwd");
    Files.writeString(passwd, "root:x:0:0:root:/root:/bin/sh\n" + "a".repeat(100 << 10));
    assertRefusedCleanly(b, "input-line", "/etc/passwd", passwd.toString(), "64 KiB");
  }

  /**
   * A full file system under the state root (a 64 KiB tmpfs of the test's own, filled first):
   * create fails with one sentence naming the file it could not write and why (the JDK's
   * write(2) error alone says only "No space left on device"), and leaves no state directory,
   * cgroup or process.
   */
  @Test
  void aFullStateRootFailsNamingTheFileAndLeavesNothing() throws Exception {
    Path mnt = Files.createDirectories(tmp.resolve("fullfs"));
    assertThat(new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt.toString())
        .inheritIO().start().waitFor()).isZero();
    try {
      try (var out = Files.newOutputStream(mnt.resolve("fill"))) {
        out.write(new byte[128 << 10]);
      } catch (IOException full) {
        // what fits was written: the file system is full
      }
      j = new Jrunc(mnt.resolve("root"));
      Bundle b = bundle("full").args("sleep", "100");
      b.write();
      // the record or config.json, whichever is written first (the helper writes config.json
      // while the record and the cgroup are made)
      assertRefusedCleanly(b, "input-full", "write " + mnt.resolve("root/input-full") + "/", ".json: No space left on device");
      assertThat(lastErr).containsPattern("write \\S*/input-full/(state|config)\\.json: No space left on device");
    } finally {
      new ProcessBuilder("umount", mnt.toString()).inheritIO().start().waitFor();
    }
  }

  /**
   * Few file descriptors ({@code ulimit -n} 11 to 20): create either works or fails with one
   * sentence, never an internal error, and leaves no state directory, cgroup or container.
   * (The undo of a failure after the state directory was made read its classes from the jar,
   * which needs a descriptor: with none left, NoClassDefFoundError left a container "creating".)
   */
  @Test
  void fewFileDescriptorsFailCleanlyAndLeaveNothing() throws Exception {
    Bundle b = bundle("nofile").args("sleep", "100");
    b.write();
    for (int n = 11; n <= 20; n++) {
      String id = "input-nofile-" + n;
      ProcessBuilder pb = new ProcessBuilder("sh", "-c", "ulimit -n " + n + "; exec \"$0\" \"$@\"",
          Jrunc.LAUNCHER.toString(), "--root", j.root().toString(), "create", "--bundle", b.dir.toString(), id);
      pb.environment().clear();
      pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
      File err = tmp.resolve("err-" + id).toFile();
      pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      Process p = pb.start();
      assertThat(p.waitFor(QUICK_SECONDS, TimeUnit.SECONDS)).as("create with %d descriptors finished", n).isTrue();
      String stderr = Files.readString(err.toPath());
      if (p.exitValue() == 0) {
        assertThat(j.run("delete", "--force", id).exit()).isZero();
      } else {
        // jrunc's sentence (or, with the fewest, the shell's own refusal before any JVM ran)
        assertThat(stderr).as("ulimit -n %d", n).containsAnyOf("level=error msg=", "Too many open files")
            .doesNotContain("internal error", "NoClassDefFoundError", "Exception in thread", "fatal error");
      }
      assertThat(j.root().resolve(id)).as("ulimit -n %d: state directory", n).doesNotExist();
      assertThat(cgroupDirs(b)).as("ulimit -n %d: cgroup", n).isEmpty();
    }
    assertThat(j.run("list", "-q").out()).isEmpty();
  }

  /**
   * A pid file that cannot be written (its directory missing) fails create and run with nothing
   * left, as runc's: the pid file is written once init is cloned and waits on the fifo, and the
   * record used to come first, handing init over to the container, so the failure's undo
   * neither ended init nor could remove its cgroup ("processes ... are still in it").
   */
  @Test
  void aPidFileThatCannotBeWrittenFailsCreateAndRunWithNothingLeft() throws Exception {
    Bundle b = bundle("pidfile").args("sleep", "100");
    b.write();
    Path pidFile = tmp.resolve("no-such-dir").resolve("x").resolve("pid");
    for (String[] cmd : new String[][] {
        {"create", "--pid-file", pidFile.toString(), "--bundle", b.dir.toString(), "input-pid-c"},
        {"run", "-d", "--pid-file", pidFile.toString(), "--bundle", b.dir.toString(), "input-pid-r"}}) {
      Jrunc.Result r = runWithin(QUICK_SECONDS, cmd);
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.err()).as(cmd[0]).contains(pidFile.toString(), "no such file or directory")
          .doesNotContain("is not removed");
      assertThat(j.root().resolve(cmd[cmd.length - 1])).as(cmd[0] + ": state directory").doesNotExist();
      assertThat(cgroupDirs(b)).as(cmd[0] + ": cgroup (and the init in it)").isEmpty();
      assertThat(pidFile).doesNotExist();
    }
    assertThat(j.run("list", "-q").out()).isEmpty();
  }

  /** The same for exec: the process it could not name in the pid file is ended (runc's too). */
  @Test
  void anExecWhosePidFileCannotBeWrittenLeavesNoProcessBehind() throws Exception {
    Bundle b = bundle("execpid").args("sleep", "1000");
    String id = "input-execpid";
    assertThat(j.run("run", "-d", "--bundle", b.write().toString(), id).exit()).isZero();
    List<long[]> init = waitForProcesses(b, 1);
    Path pidFile = tmp.resolve("no-such-dir").resolve("pid");
    Jrunc.Result e = runWithin(QUICK_SECONDS, "exec", "-d", "--pid-file", pidFile.toString(), id, "sleep", "77");
    assertThat(e.exit()).as(e.toString()).isNotZero();
    assertThat(e.err()).contains(pidFile.toString(), "no such file or directory");
    List<long[]> after = waitForProcesses(b, 1).stream().filter(HostileInputTest::running).toList();
    assertThat(after).as("the container's processes after the failed exec").hasSize(1);
    assertThat(after.get(0)[0]).isEqualTo(init.get(0)[0]);
    assertThat(j.run("delete", "--force", id).exit()).isZero();
    assertThat(cgroupDirs(b)).isEmpty();
  }

  /**
   * Runs {@code create} and checks it failed quickly and cleanly: non-zero (1, not a JVM
   * crash), the message names the file and says why, no OutOfMemoryError, no state directory,
   * no cgroup.
   */
  /** What the last {@link #assertRefusedCleanly} saw on stderr. */
  private String lastErr;

  private void assertRefusedCleanly(Bundle b, String id, String... message) throws Exception {
    long t0 = System.nanoTime();
    Jrunc.Result r = runWithin(QUICK_SECONDS, "create", "--bundle", b.dir.toString(), id);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    lastErr = r.err();
    assertThat(r.err()).as(r.toString()).contains(message).doesNotContain("OutOfMemoryError");
    assertThat(ms).as("create took " + ms + " ms").isLessThan(QUICK_SECONDS * 1000);
    assertThat(j.root().resolve(id)).as("state directory").doesNotExist();
    assertThat(cgroupDirs(b)).as("cgroup").isEmpty();
    assertThat(j.run("list", "-q").out()).isEmpty();
  }

  // ---------------------------------------------------------------- item 7: malformed state.json

  @Test
  void malformedStateIsRefusedAndDeleteForceStillKillsTheContainer() throws Exception {
    // no pid namespace: the background sleep outlives init, so only killing the whole cgroup ends it
    Bundle b = bundle("state").withoutNamespace("pid").sh("sleep 1001 & exec sleep 1000");
    String id = "input-state";
    assertThat(j.run("run", "-d", "--bundle", b.write().toString(), id).exit()).isZero();
    List<long[]> procs = waitForProcesses(b, 2);
    Path state = j.root().resolve(id).resolve("state.json");
    String good = Files.readString(state);
    int pid = Json.mapper().readTree(good).get("pid").asInt();
    Files.writeString(state, good.replaceFirst("\"pid\":" + pid, "\"pid\":\"abc\",\"init_process_pid\":{}"));

    for (String[] cmd : new String[][] {{"state", id}, {"kill", id, "KILL"}, {"delete", id}, {"ps", id}}) {
      Jrunc.Result r = j.run(cmd);
      assertThat(r.exit()).as(Arrays.toString(cmd) + ": " + r).isNotZero();
      assertThat(r.err()).as(Arrays.toString(cmd)).contains(state.toString(), "field \\\"pid\\\"", "found a string");
    }
    // runc's list names it on stderr and lists the others
    Jrunc.Result list = j.run("list");
    assertThat(list.exit()).isZero();
    assertThat(list.err()).contains("load container " + id + ": state.json " + state, "field \"pid\"");
    for (long[] p : procs) assertThat(running(p)).as("pid " + p[0] + " after the refused commands").isTrue();

    Jrunc.Result del = j.run("delete", "--force", id);
    assertThat(del.exit()).as(del.toString()).isZero();
    for (long[] p : procs) assertThat(waitGone(p)).as("pid " + p[0] + " after delete --force").isTrue();
    assertThat(cgroupDirs(b)).as("the container's cgroup").isEmpty();
    assertThat(j.root().resolve(id)).doesNotExist();
  }

  @Test
  void aMistypedFieldNeverMakesARunningContainerLookCreating() throws Exception {
    // the case: the old reader took the fields after a mistyped map for its entries,
    // saw no pid, reported "creating", and delete --force removed the record of a running container
    Bundle b = bundle("creating").args("sleep", "1000");
    String id = "input-creating";
    assertThat(j.run("run", "-d", "--bundle", b.write().toString(), id).exit()).isZero();
    List<long[]> procs = waitForProcesses(b, 1);
    Path state = j.root().resolve(id).resolve("state.json");
    Files.writeString(state, "{\"annotations\":7," + Files.readString(state).substring(1));

    Jrunc.Result st = j.run("state", id);
    assertThat(st.exit()).as(st.toString()).isEqualTo(1);
    assertThat(st.out()).doesNotContain("creating");
    assertThat(st.err()).contains(state.toString(), "field \\\"annotations\\\": expected an object of strings, found a number 7");
    Jrunc.Result del = j.run("delete", "--force", id);
    assertThat(del.exit()).as(del.toString()).isZero();
    assertThat(waitGone(procs.getFirst())).as("the container's init after delete --force").isTrue();
    assertThat(cgroupDirs(b)).isEmpty();
    assertThat(j.root().resolve(id)).doesNotExist();
  }

  @Test
  void deleteForceFindsTheCgroupThroughTheConfigCopyWhenTheRecordHasNone() throws Exception {
    Bundle b = bundle("copy").withoutNamespace("pid").sh("sleep 1001 & exec sleep 1000");
    String id = "input-copy";
    assertThat(j.run("run", "-d", "--bundle", b.write().toString(), id).exit()).isZero();
    List<long[]> procs = waitForProcesses(b, 2);
    Path state = j.root().resolve(id).resolve("state.json");
    ObjectNode rec = (ObjectNode) Json.mapper().readTree(Files.readString(state));
    rec.put("pid", "abc").put("cgroup", 5).put("pidStartTime", true);
    Files.writeString(state, rec.toString());

    Jrunc.Result del = j.run("delete", "--force", id);
    assertThat(del.exit()).as(del.toString()).isZero();
    for (long[] p : procs) assertThat(waitGone(p)).as("pid " + p[0]).isTrue();
    assertThat(cgroupDirs(b)).isEmpty();
    assertThat(j.root().resolve(id)).doesNotExist();
  }

  @Test
  void deleteForceRefusesWhenNothingIdentifiesTheProcesses() throws Exception {
    Bundle b = bundle("nothing").args("sleep", "1000");
    String id = "input-nothing";
    assertThat(j.run("run", "-d", "--bundle", b.write().toString(), id).exit()).isZero();
    List<long[]> procs = waitForProcesses(b, 1);
    Path dir = j.root().resolve(id);
    String good = Files.readString(dir.resolve("state.json"));
    ObjectNode rec = (ObjectNode) Json.mapper().readTree(good);
    rec.put("pid", "abc").put("cgroup", "x");
    Files.writeString(dir.resolve("state.json"), rec.toString());
    Path copy = tmp.resolve("config-copy.json");
    Files.move(dir.resolve("config.json"), copy);

    Jrunc.Result del = j.run("delete", "--force", id);
    assertThat(del.exit()).as(del.toString()).isNotZero();
    assertThat(del.err()).contains("refused", "nothing trustworthy identifies its processes", dir.toString());
    assertThat(dir.resolve("state.json")).as("the record is kept").exists();
    assertThat(running(procs.getFirst())).isTrue();

    // a repaired record deletes as usual
    Files.writeString(dir.resolve("state.json"), good);
    Files.move(copy, dir.resolve("config.json"));
    assertThat(j.run("delete", "--force", id).exit()).isZero();
    assertThat(waitGone(procs.getFirst())).isTrue();
    assertThat(cgroupDirs(b)).isEmpty();
  }

  @Test
  void stateJsonThatIsAFifoIsRefusedWithoutHanging() throws Exception {
    Bundle b = bundle("sfifo").args("sleep", "1000");
    String id = "input-sfifo";
    assertThat(j.run("run", "-d", "--bundle", b.write().toString(), id).exit()).isZero();
    List<long[]> procs = waitForProcesses(b, 1);
    Path state = j.root().resolve(id).resolve("state.json");
    Files.delete(state);
    mkfifo(state);
    Jrunc.Result r = runWithin(QUICK_SECONDS, "state", id);
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains(state.toString(), "FIFO");
    // nothing of the record is readable: the config copy leads to the cgroup
    Jrunc.Result del = runWithin(QUICK_SECONDS, "delete", "--force", id);
    assertThat(del.exit()).as(del.toString()).isZero();
    assertThat(waitGone(procs.getFirst())).isTrue();
    assertThat(cgroupDirs(b)).isEmpty();
  }

  // ---------------------------------------------------------------- helpers

  private Bundle bundle(String name) throws IOException {
    Bundle b = Bundle.busybox(tmp.resolve(name));
    b.linux().put("cgroupsPath", "/" + PARENT + "/" + name + "-" + COUNTER.incrementAndGet());
    return b;
  }

  /** {@link Jrunc#run} with a short deadline: a hang fails the test instead of blocking it. */
  private Jrunc.Result runWithin(long seconds, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Jrunc.LAUNCHER.toString(), "--root", j.root().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    File out = tmp.resolve("out-" + COUNTER.incrementAndGet()).toFile();
    File err = tmp.resolve("err-" + COUNTER.incrementAndGet()).toFile();
    pb.redirectOutput(out).redirectError(err).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor();
      throw new AssertionError("jrunc " + String.join(" ", args) + " hung: still running after " + seconds + " s");
    }
    return new Jrunc.Result(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
  }

  private static void mkfifo(Path p) throws Exception {
    assertThat(new ProcessBuilder("mkfifo", p.toString()).inheritIO().start().waitFor()).isZero();
  }

  /** The container's cgroup directories that exist, on every hierarchy. */
  private static List<Path> cgroupDirs(Bundle b) throws IOException {
    String cg = b.linux().get("cgroupsPath").asText().substring(1);
    List<Path> out = new ArrayList<>();
    for (Path h : hierarchies()) if (Files.isDirectory(h.resolve(cg))) out.add(h.resolve(cg));
    return out;
  }

  /** {pid, start time} of each process in the container's cgroup, once there are {@code n}. */
  private static List<long[]> waitForProcesses(Bundle b, int n) throws Exception {
    List<long[]> out = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      out.clear();
      for (Path d : cgroupDirs(b)) {
        Path procs = d.resolve("cgroup.procs");
        if (!Files.exists(procs)) continue;
        for (String line : Files.readString(procs).split("\n")) {
          if (line.isBlank()) continue;
          long pid = Long.parseLong(line.trim());
          long start = startTime(pid);
          if (start >= 0) out.add(new long[] {pid, start});
        }
        break;
      }
      if (out.size() >= n) return out;
      Thread.sleep(20);
    }
    throw new AssertionError("the container's cgroup " + cgroupDirs(b) + " never held " + n + " processes");
  }

  /** Field 22 of /proc/PID/stat, or -1 when the process is gone. */
  private static long startTime(long pid) {
    String s = stat(pid);
    if (s == null) return -1;
    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[19]);
  }

  private static String stat(long pid) {
    try {
      return Files.readString(Path.of("/proc/" + pid + "/stat"));
    } catch (IOException e) {
      return null;
    }
  }

  /** The process that had this pid and start time is still running (not a zombie). */
  private static boolean running(long[] p) {
    String s = stat(p[0]);
    if (s == null) return false;
    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[19]) == p[1] && !f[0].equals("Z") && !f[0].equals("X");
  }

  private static boolean waitGone(long[] p) throws InterruptedException {
    for (int i = 0; i < 250 && running(p); i++) Thread.sleep(20);
    return !running(p);
  }

  private static List<Path> hierarchies() throws IOException {
    List<Path> out = new ArrayList<>();
    Path root = Path.of("/sys/fs/cgroup");
    if (Files.exists(root.resolve("cgroup.controllers"))) {
      out.add(root);
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
      for (Path p : ds) if (Files.isDirectory(p) && !Files.isSymbolicLink(p)) out.add(p);
    }
    return out;
  }
}
