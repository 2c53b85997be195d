package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.SysException;
import io.jrunc.core.sys.Termios;
import io.jrunc.core.sys.UnixSockets;
import io.jrunc.testsupport.RequiresRoot;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Terminals and file descriptors through the CLI, as engines use them: {@code --console-socket}
 * (containerd, conmon), a foreground {@code run -t}/{@code exec -t} under a real terminal,
 * {@code --pidfd-socket}, {@code --preserve-fds}.
 */
@RequiresRoot("runs containers with namespaces and cgroups")
class TerminalTest {
  @TempDir Path tmp;
  private final List<Integer> fds = new ArrayList<>();

  /** Even after a failed assertion: no container (and so no cgroup) outlives its test. */
  @AfterEach
  void cleanUp() throws Exception {
    for (int fd : fds) Libc.close(fd);
    Jrunc j = jrunc();
    if (!Files.isDirectory(j.root())) return;
    for (String id : j.run("list", "-q").out().split("\n")) {
      if (!id.isBlank()) j.run("delete", "--force", id.trim());
    }
  }

  private Jrunc jrunc() {
    return new Jrunc(tmp.resolve("root"));
  }

  private int keep(int fd) {
    fds.add(fd);
    return fd;
  }

  /** A bundle whose process is an interactive shell on a terminal of 40 rows, 120 columns. */
  private Path ttyBundle(String name) throws IOException {
    Bundle b = Bundle.busybox(tmp.resolve(name)).args("sh");
    b.process().put("terminal", true);
    b.process().putObject("consoleSize").put("height", 40).put("width", 120);
    return b.write();
  }

  /** Accepts the runtime's connection and takes the one message: payload and fd. */
  private UnixSockets.Received receive(int listenFd) throws SysException {
    int conn = UnixSockets.accept(listenFd);
    try {
      UnixSockets.Received r = UnixSockets.recv(conn, 4096);
      if (r.fd() >= 0) keep(r.fd());
      return r;
    } finally {
      Libc.close(conn);
    }
  }

  /**
   * Reads {@code fd} until {@code done} holds for what came, EOF/EIO (the other side is gone) or
   * the timeout; returns what came.
   */
  private static String readUntil(int fd, Predicate<String> done, long timeoutMillis) throws SysException {
    StringBuilder sb = new StringBuilder();
    long deadline = System.currentTimeMillis() + timeoutMillis;
    byte[] buf = new byte[4096];
    while (!done.test(sb.toString())) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) break;
      if (Termios.pollIn(fd, (int) Math.min(left, 200)) == 0) continue;
      int n;
      try {
        n = Libc.read(fd, buf, buf.length);
      } catch (SysException e) {
        if (e.errno() == Errno.EIO) break; // every slave fd closed
        throw e;
      }
      if (n <= 0) break;
      sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  private static void type(int master, String s) throws SysException {
    Libc.write(master, s.getBytes(StandardCharsets.UTF_8));
  }

  private static String status(Jrunc j, String id) throws Exception {
    return Bundle.node(j.run("state", id).out()).get("status").asText();
  }

  private static void waitForStatus(Jrunc j, String id, String want) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!status(j, id).equals(want)) {
      if (System.currentTimeMillis() > deadline) throw new AssertionError(id + " did not become " + want + ": " + status(j, id));
      Thread.sleep(20);
    }
  }

  @Test
  void createWithConsoleSocketSendsTheMasterOfTheContainersTerminal() throws Exception {
    Jrunc j = jrunc();
    Path bundle = ttyBundle("b");
    Path sock = tmp.resolve("console.sock");
    int listen = keep(UnixSockets.listen(sock.toString()));
    var r = j.run("create", "-b", bundle.toString(), "--console-socket", sock.toString(), "t1");
    assertThat(r.exit()).as(r.toString()).isZero();
    UnixSockets.Received got = receive(listen);
    // runc's payload: the slave's path as the container sees it
    assertThat(new String(got.payload(), StandardCharsets.UTF_8)).isEqualTo("/dev/pts/0");
    assertThat(got.fd()).isNotNegative();
    // a pty master of the container's own devpts instance (its ptmx, as we see the path)
    assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + got.fd())).toString()).endsWith("/dev/pts/ptmx");
    assertThat(j.run("start", "t1").exit()).isZero();
    type(got.fd(), "echo h\"\"i; tty; stty size; echo CON=$(stat -c %t:%T /dev/console) PTS=$(stat -c %t:%T /dev/pts/0); exit 3\n");
    String out = readUntil(got.fd(), s -> false, 20_000);
    assertThat(out).contains("hi\r\n").contains("/dev/pts/0\r\n").contains("40 120\r\n");
    assertThat(consoleIsThePty(out)).as(out).isTrue();
    waitForStatus(j, "t1", "stopped");
    assertThat(j.run("delete", "t1").exit()).isZero();
  }

  /**
   * Without a mount namespace jrunc only chroots, and the image has no devpts: the pty comes
   * from the runtime's /dev/pts, opened before the chroot (runc's bats "host mount ns" runs with
   * its default terminal; the open of the image's /dev/pts/ptmx failed with ENOENT).
   */
  @Test
  void aContainerWithoutAMountNamespaceGetsATerminal() throws Exception {
    Jrunc j = jrunc();
    Bundle b = Bundle.busybox(tmp.resolve("h")).args("/bin/echo", "Hello World").withoutNamespace("mount");
    b.process().put("terminal", true);
    b.linux().putArray("maskedPaths");
    b.linux().putArray("readonlyPaths");
    Path sock = tmp.resolve("console.sock");
    int listen = keep(UnixSockets.listen(sock.toString()));
    var r = j.run("create", "-b", b.write().toString(), "--console-socket", sock.toString(), "hm");
    assertThat(r.exit()).as(r.toString()).isZero();
    try {
      UnixSockets.Received got = receive(listen);
      assertThat(j.run("start", "hm").exit()).isZero();
      assertThat(readUntil(got.fd(), out -> out.contains("Hello World"), 20_000)).contains("Hello World");
      waitForStatus(j, "hm", "stopped");
    } finally {
      j.run("delete", "--force", "hm");
    }
  }

  /**
   * CVE-2025-52565 class: the terminal is bound onto /dev/console itself, never where a symlink
   * there points. Without a /dev tmpfs the image's /dev is used, with console -> the host-
   * reachable name /proc/sys/kernel/core_pattern: /dev/console must be the pty, core_pattern
   * stays read-only inside and unchanged on the host, and the image's symlink stays as it was.
   */
  @Test
  void anImagesConsoleSymlinkIsMountedOverNotFollowed() throws Exception {
    Path core = Path.of("/proc/sys/kernel/core_pattern");
    byte[] before = Files.readAllBytes(core);
    Jrunc j = jrunc();
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("sh").withoutDevTmpfs();
    b.process().put("terminal", true);
    Path link = b.dir.resolve("rootfs/dev/console");
    Files.createSymbolicLink(link, core);
    Path sock = tmp.resolve("console.sock");
    int listen = keep(UnixSockets.listen(sock.toString()));
    var r = j.run("run", "-d", "-b", b.write().toString(), "--console-socket", sock.toString(), "con");
    assertThat(r.exit()).as(r.toString()).isZero();
    UnixSockets.Received got = receive(listen);
    // (the marker is split so that the terminal's echo of the typed line does not contain it)
    type(got.fd(), "echo CON=$(stat -c %t:%T /dev/console) PTS=$(stat -c %t:%T /dev/pts/0);"
        + " echo '|/bin/evil' > /proc/sys/kernel/core_pattern || echo RE\"\"FUSED; exit 0\n");
    String out = readUntil(got.fd(), s -> false, 20_000);
    assertThat(consoleIsThePty(out)).as(out).isTrue();
    assertThat(out).contains("REFUSED");
    assertThat(Files.readAllBytes(core)).isEqualTo(before);
    assertThat(Files.readSymbolicLink(link)).isEqualTo(core);
  }

  /** {@code CON=88:0 PTS=88:0}: /dev/console is the pty slave (same device numbers). */
  private static boolean consoleIsThePty(String out) {
    var m = java.util.regex.Pattern.compile("CON=([0-9a-f]+:[0-9a-f]+) PTS=([0-9a-f]+:[0-9a-f]+)").matcher(out);
    return m.find() && m.group(1).equals(m.group(2));
  }

  @Test
  void runDetachedWithConsoleSocketAndTheFlagRules() throws Exception {
    Jrunc j = jrunc();
    Path bundle = ttyBundle("b");
    Path sock = tmp.resolve("console.sock");
    int listen = keep(UnixSockets.listen(sock.toString()));
    // runc's checkTerminal sentences
    var noSock = j.run("create", "-b", bundle.toString(), "t0");
    assertThat(noSock.exit()).isEqualTo(1);
    assertThat(noSock.err()).contains("cannot allocate tty if runc will detach without setting console socket");
    var fg = j.run("run", "-b", bundle.toString(), "--console-socket", sock.toString(), "t0");
    assertThat(fg.exit()).isEqualTo(1);
    assertThat(fg.err()).contains("cannot use console socket if runc will not detach or allocate tty");

    var r = j.run("run", "-d", "-b", bundle.toString(), "--console-socket", sock.toString(), "t2");
    assertThat(r.exit()).as(r.toString()).isZero();
    UnixSockets.Received got = receive(listen);
    assertThat(status(j, "t2")).isEqualTo("running");
    type(got.fd(), "echo r\"\"un; exit 5\n");
    assertThat(readUntil(got.fd(), s -> false, 20_000)).contains("run\r\n");
    waitForStatus(j, "t2", "stopped");
    assertThat(j.run("delete", "t2").exit()).isZero();
  }

  @Test
  void execWithTerminalAndConsoleSocketIntoARunningContainer() throws Exception {
    Jrunc j = jrunc();
    Path bundle = Bundle.busybox(tmp.resolve("b")).args("sleep", "100").write();
    assertThat(j.run("run", "-d", "-b", bundle.toString(), "e1").exit()).isZero();
    Path sock = tmp.resolve("console.sock");
    int listen = keep(UnixSockets.listen(sock.toString()));
    // exec's own failures exit 255, as runc's ("exec failed: ..."), apart from the process's statuses
    var bad = j.run("exec", "-t", "-d", "e1", "sh");
    assertThat(bad.exit()).isEqualTo(255);
    assertThat(bad.err()).contains("cannot allocate tty if runc will detach without setting console socket");
    var bad2 = j.run("exec", "--console-socket", sock.toString(), "e1", "true");
    assertThat(bad2.exit()).isEqualTo(255);
    assertThat(bad2.err()).contains("cannot use console socket if runc will not detach or allocate tty");

    Path pidFile = tmp.resolve("exec.pid");
    var r = j.run("exec", "-t", "-d", "--console-socket", sock.toString(), "--pid-file", pidFile.toString(),
        "-u", "65534", "e1", "sh");
    assertThat(r.exit()).as(r.toString()).isZero();
    UnixSockets.Received got = receive(listen);
    assertThat(new String(got.payload(), StandardCharsets.UTF_8)).isEqualTo("/dev/pts/0");
    int pid = Integer.parseInt(Files.readString(pidFile).trim());
    type(got.fd(), "echo h\"\"i; tty; id -u; stat -c %u /dev/pts/0; exit 3\n");
    String out = readUntil(got.fd(), s -> false, 20_000);
    // a non-root user owns its terminal (runc's fixStdioPermissions)
    assertThat(out).contains("hi\r\n").contains("/dev/pts/0\r\n").contains("65534\r\n65534\r\n");
    // the terminal closes in exit before the process is a zombie: give it a moment
    long deadline = System.currentTimeMillis() + 5_000;
    while (!zombie(pid) && System.currentTimeMillis() < deadline) Thread.sleep(10);
    assertThat(zombie(pid)).as("the exec'd shell exited").isTrue();
    assertThat(status(j, "e1")).isEqualTo("running");
    assertThat(j.run("delete", "-f", "e1").exit()).isZero();
  }

  private static boolean zombie(int pid) {
    try {
      return Files.readString(Path.of("/proc/" + pid + "/stat")).contains(") Z ");
    } catch (IOException e) {
      return true;
    }
  }

  /**
   * A foreground command of jrunc under a terminal of the test's own (a pty pair: the slave is
   * jrunc's stdin/stdout/stderr, the test plays the user on the master).
   */
  private record Foreground(Process process, int master, int slave, Termios.Attrs before) {}

  private Foreground underTerminal(Termios.Size size, String... args) throws Exception {
    int[] pty = Termios.openPty();
    keep(pty[0]);
    keep(pty[1]);
    Termios.setWindowSize(pty[0], size);
    File slavePath = Files.readSymbolicLink(Path.of("/proc/self/fd/" + pty[1])).toFile();
    List<String> cmd = new ArrayList<>();
    cmd.add(Jrunc.LAUNCHER.toString());
    cmd.add("--root");
    cmd.add(tmp.resolve("root").toString());
    cmd.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    pb.redirectInput(slavePath).redirectOutput(ProcessBuilder.Redirect.appendTo(slavePath))
        .redirectError(ProcessBuilder.Redirect.appendTo(slavePath));
    Termios.Attrs before = Termios.get(pty[1]);
    return new Foreground(pb.start(), pty[0], pty[1], before);
  }

  private static int finish(Foreground f) throws Exception {
    if (!f.process().waitFor(60, TimeUnit.SECONDS)) {
      f.process().destroyForcibly();
      throw new AssertionError("jrunc did not exit");
    }
    return f.process().exitValue();
  }

  /**
   * Without a terminal in the config, a foreground run and exec under the caller's terminal give
   * the container pipes (runc's setupProcessPipes), copied to and from it: never the caller's
   * terminal itself, through which a container with CAP_SYS_ADMIN pushed input into the
   * caller's shell (TIOCSTI). What it reads and writes still arrives.
   */
  @Test
  void foregroundWithoutATerminalNeverGetsTheCallersTerminal() throws Exception {
    Bundle b = Bundle.busybox(tmp.resolve("nt")).sh(
        "for n in 0 1 2; do readlink /proc/self/fd/$n | cut -d: -f1; done; test -t 0 || echo no-tty; read x; echo got-$x");
    Foreground f = underTerminal(new Termios.Size(24, 80, 0, 0), "run", "-b", b.write().toString(), "nt1");
    String out = readUntil(f.master(), s -> s.contains("no-tty"), 30_000);
    type(f.master(), "typed\n");
    out += readUntil(f.master(), s -> s.contains("got-typed"), 20_000);
    assertThat(finish(f)).as(out).isZero();
    assertThat(out.replace("\r", "")).contains("pipe\npipe\npipe\nno-tty\n").contains("got-typed");
    Path sleeper = Bundle.busybox(tmp.resolve("nt-sleep")).args("sleep", "100").write();
    assertThat(jrunc().run("run", "-d", "-b", sleeper.toString(), "nt2").exit()).isZero();
    try {
      Foreground e = underTerminal(new Termios.Size(24, 80, 0, 0), "exec", "nt2", "sh", "-c",
          "for n in 0 1 2; do readlink /proc/self/fd/$n | cut -d: -f1; done; test -t 1 || echo no-tty");
      String eout = readUntil(e.master(), s -> s.contains("no-tty"), 30_000);
      assertThat(finish(e)).as(eout).isZero();
      assertThat(eout.replace("\r", "")).contains("pipe\npipe\npipe\nno-tty\n");
    } finally {
      jrunc().run("delete", "-f", "nt2");
    }
  }

  @Test
  void foregroundRunRelaysTheCallersTerminalAndRestoresIt() throws Exception {
    Path bundle = ttyBundle("b");
    Foreground f = underTerminal(new Termios.Size(33, 77, 0, 0), "run", "-b", bundle.toString(), "f1");
    // the shell's prompt: the relay runs and the caller's terminal is raw now
    String prompt = readUntil(f.master(), s -> s.contains("# "), 30_000);
    assertThat(prompt).contains("# ");
    assertThat(Termios.get(f.slave()).lflag() & Termios.ECHO).isZero();
    type(f.master(), "echo h\"\"i; tty; stty size; echo CON=$(stat -c %t:%T /dev/console) PTS=$(stat -c %t:%T /dev/pts/0); exit 3\n");
    String out = readUntil(f.master(), s -> s.contains("PTS="), 20_000);
    int exit = finish(f);
    out += readUntil(f.master(), s -> false, 500);
    assertThat(exit).as(out).isEqualTo(3);
    // the caller's window size reached the container's terminal (not config.json's 40x120)
    assertThat(out).contains("hi\r\n").contains("/dev/pts/0\r\n").contains("33 77\r\n");
    assertThat(consoleIsThePty(out)).as(out).isTrue();
    assertThat(Termios.get(f.slave()).raw()).isEqualTo(f.before().raw());
    // run without --keep deleted the container
    assertThat(jrunc().run("state", "f1").err()).contains("container does not exist");
  }

  /**
   * runc's own tests read a foreground terminal's output through pipes: they get "\n", not the
   * pty's "\r\n" (ONLCR is cleared when the caller is no terminal); a read-only /dev still
   * gets its /dev/console.
   */
  @Test
  void foregroundTerminalReadByAProgramAndAReadOnlyDev() throws Exception {
    Bundle b = Bundle.busybox(tmp.resolve("p")).sh("echo one; echo two; test -c /dev/console && echo console;"
        + " touch /dev/x 2>/dev/null || echo dev-ro");
    b.process().put("terminal", true);
    for (var m : b.config.withArray("mounts")) {
      if (m.get("destination").asText().equals("/dev")) ((com.fasterxml.jackson.databind.node.ArrayNode) m.get("options")).add("ro");
    }
    var r = jrunc().run("run", "-b", b.write().toString(), "p1");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("one\ntwo\nconsole\ndev-ro\n");
  }

  @Test
  void foregroundExecWithTerminal() throws Exception {
    Jrunc j = jrunc();
    Path bundle = Bundle.busybox(tmp.resolve("b")).args("sleep", "100").write();
    assertThat(j.run("run", "-d", "-b", bundle.toString(), "x1").exit()).isZero();
    Foreground f = underTerminal(new Termios.Size(25, 99, 0, 0), "exec", "-t", "x1", "sh");
    assertThat(readUntil(f.master(), s -> s.contains("# "), 30_000)).contains("# ");
    type(f.master(), "echo h\"\"i; tty; stty size; exit 7\n");
    String out = readUntil(f.master(), s -> s.contains("25 99"), 20_000);
    int exit = finish(f);
    assertThat(exit).as(out).isEqualTo(7);
    assertThat(out).contains("hi\r\n").contains("/dev/pts/0\r\n").contains("25 99\r\n");
    assertThat(Termios.get(f.slave()).raw()).isEqualTo(f.before().raw());
    // ^C in the caller's terminal reaches the process through its terminal's line discipline
    Foreground g = underTerminal(new Termios.Size(25, 99, 0, 0), "exec", "-t", "x1", "sh", "-c", "echo READY; sleep 100");
    assertThat(readUntil(g.master(), s -> s.contains("READY"), 30_000)).contains("READY");
    type(g.master(), "\u0003");
    assertThat(finish(g)).isEqualTo(130); // 128 + SIGINT
    assertThat(j.run("delete", "-f", "x1").exit()).isZero();
  }

  @Test
  void pidfdSocketGivesAPidfdOfInitAndOfAnExec() throws Exception {
    Jrunc j = jrunc();
    Path bundle = Bundle.busybox(tmp.resolve("b")).args("sleep", "100").write();
    Path sock = tmp.resolve("pidfd.sock");
    int listen = keep(UnixSockets.listen(sock.toString()));
    var r = j.run("run", "-d", "-b", bundle.toString(), "--pidfd-socket", sock.toString(), "p1");
    assertThat(r.exit()).as(r.toString()).isZero();
    UnixSockets.Received init = receive(listen);
    assertThat(new String(init.payload(), StandardCharsets.US_ASCII)).isEqualTo("standard");
    assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + init.fd())).toString()).isEqualTo("anon_inode:[pidfd]");

    Path pidFile = tmp.resolve("exec.pid");
    var e = j.run("exec", "-d", "--pidfd-socket", sock.toString(), "--pid-file", pidFile.toString(), "p1", "sleep", "200");
    assertThat(e.exit()).as(e.toString()).isZero();
    UnixSockets.Received exec = receive(listen);
    assertThat(new String(exec.payload(), StandardCharsets.US_ASCII)).isEqualTo("setns");
    assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + exec.fd())).toString()).isEqualTo("anon_inode:[pidfd]");
    // the pidfd names the exec'd process: its Pid line in our fdinfo is the pid file's
    String pid = Files.readString(pidFile).trim();
    assertThat(Files.readString(Path.of("/proc/self/fdinfo/" + exec.fd()))).containsPattern("(?m)^Pid:\\s+" + pid + "$");
    assertThat(Libc.pidfdSendSignal(exec.fd(), 9)).isZero();
    assertThat(Termios.pollIn(exec.fd(), 10_000)).as("the exec'd process exited").isNotZero();
    assertThat(status(j, "p1")).isEqualTo("running");
    // a pidfd socket nobody listens on fails the exec before anything runs
    var bad = j.run("exec", "--pidfd-socket", tmp.resolve("nobody.sock").toString(), "p1", "touch", "/dev/shm/ran");
    assertThat(bad.exit()).isEqualTo(255);
    assertThat(bad.err()).contains("connect to the pidfd socket " + tmp.resolve("nobody.sock") + ": no such file or directory (ENOENT)");
    var ran = j.run("exec", "p1", "sh", "-c", "test -e /dev/shm/ran && echo RAN || echo NOT");
    assertThat(ran.out()).isEqualTo("NOT\n");
    // and the init's pidfd stops the container
    assertThat(Libc.pidfdSendSignal(init.fd(), 9)).isZero();
    waitForStatus(j, "p1", "stopped");
    assertThat(j.run("delete", "p1").exit()).isZero();
  }

  @Test
  void execPreserveFdsPassesFd3() throws Exception {
    Jrunc j = jrunc();
    Path bundle = Bundle.busybox(tmp.resolve("b")).args("sleep", "100").write();
    assertThat(j.run("run", "-d", "-b", bundle.toString(), "d1").exit()).isZero();
    Path secret = tmp.resolve("secret");
    Files.writeString(secret, "from the host\n");
    String jr = Jrunc.LAUNCHER + " --root " + tmp.resolve("root");
    var with = sh("exec 3<" + secret + "; " + jr + " exec --preserve-fds 1 d1 cat /proc/self/fd/3");
    assertThat(with.exit()).as(with.toString()).isZero();
    assertThat(with.out()).isEqualTo("from the host\n");
    var without = sh("exec 3<" + secret + "; " + jr + " exec d1 cat /proc/self/fd/3");
    assertThat(without.exit()).as(without.toString()).isNotZero();
    assertThat(without.out()).isEmpty();
    assertThat(j.run("delete", "-f", "d1").exit()).isZero();
  }

  @Test
  void apiExecWithTerminalThroughAConnectedConsoleFd() throws Exception {
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("sleep", "60");
    io.jrunc.core.api.ContainerRuntime rt = io.jrunc.core.api.ContainerRuntime.open(tmp.resolve("state"));
    io.jrunc.core.api.Container c = rt.create("api-tty-" + ProcessHandle.current().pid(),
        io.jrunc.core.api.CreateOptions.bundle(b.write()));
    try {
      c.start();
      io.jrunc.spec.Process base = io.jrunc.spec.Json.read(Files.readAllBytes(b.dir.resolve("config.json")),
          io.jrunc.spec.Spec.class).process();
      io.jrunc.spec.Process p = base.withTerminal(true).withConsoleSize(new io.jrunc.spec.Box(12L, 34L))
          .withArgs(List.of("sh", "-c", "tty; stty size; exit 4"));
      // a terminal needs somewhere to send its master
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.exec(p, io.jrunc.core.api.ExecOptions.defaults()))
          .isInstanceOf(io.jrunc.core.api.InvalidConfigException.class)
          .hasMessageContaining("terminal is true but no console socket was given");
      try (io.jrunc.core.terminal.TerminalRelay relay = io.jrunc.core.terminal.TerminalRelay.prepare()) {
        io.jrunc.core.api.ContainerProcess e = c.exec(p,
            io.jrunc.core.api.ExecOptions.defaults().withConsoleFd(relay.childSocketFd()));
        int master = relay.receiveMaster();
        String out = readUntil(master, s -> false, 20_000);
        assertThat(e.waitFor()).isEqualTo(4);
        assertThat(out).isEqualTo("/dev/pts/0\r\n12 34\r\n");
      }
    } finally {
      c.delete(true);
    }
  }

  private static Jrunc.Result sh(String script) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", script);
    File out = File.createTempFile("jrunc-out", ".txt");
    File err = File.createTempFile("jrunc-err", ".txt");
    pb.redirectOutput(out).redirectError(err).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("did not finish: " + script);
    }
    var r = new Jrunc.Result(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
    out.delete();
    err.delete();
    return r;
  }
}
