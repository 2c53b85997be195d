package io.jrunc.core.terminal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.spawn.Spawner;
import io.jrunc.core.spawn.StepFailedException;
import io.jrunc.core.sys.Clone;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Mount;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.sys.SysException;
import io.jrunc.core.sys.UnixSockets;
import io.jrunc.spec.Box;
import io.jrunc.testsupport.RequiresRoot;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The terminal steps on the real kernel (root): a child in new mount and pid namespaces mounts
 * its own devpts instance at /dev/pts (the host's /dev/pts is untouched: the mount namespace
 * is private), runs {@link TerminalSetup}, and execs a shell on the terminal; the test plays
 * the engine's side of the console socket.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@RequiresRoot("runs a shell in new mount and pid namespaces with its own devpts")
class TerminalSetupTest {
  @TempDir Path tmp;


  record Outcome(int exit, String output, String payload) {}

  /** Runs {@code sh} on a terminal made by the steps; {@code input} is typed into the master. */
  private Outcome run(Box size, boolean devConsole, long owner, String input, boolean mountDevpts) throws Exception {
    Path sock = tmp.resolve("console.sock");
    int listen = UnixSockets.listen(sock.toString());
    int client = ConsoleSocket.connect(sock);
    int conn = UnixSockets.accept(listen);
    Libc.close(listen);
    if (input == null) { // the engine hangs up before the terminal arrives
      Libc.close(conn);
      conn = -1;
    }
    try (SpawnChannel ch = new SpawnChannel(); ProgramBuilder b = new ProgramBuilder()) {
      b.call(Sys.READ, ch.syncRead(), b.alloc(8), 1L).atLeast(1).describe("wait for the parent");
      b.call(Sys.MOUNT, "none", "/", 0L, Mount.MS_REC | Mount.MS_PRIVATE, 0L).describe("make / private");
      if (mountDevpts) {
        // a container's /dev: a fresh tmpfs without console, with its own devpts
        b.call(Sys.MOUNT, "tmpfs", "/dev", "tmpfs", 0L, "mode=755").describe("mount /dev");
        b.call(Sys.MKDIRAT, (long) Open.AT_FDCWD, "/dev/pts", 0755L).describe("mkdir /dev/pts");
        b.call(Sys.MOUNT, "devpts", "/dev/pts", "devpts", Mount.MS_NOSUID | Mount.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620")
            .describe("mount devpts");
      } else {
        b.call(Sys.MOUNT, "tmpfs", "/dev/pts", "tmpfs", 0L, 0L).describe("hide devpts");
      }
      TerminalSetup.emit(b, client, size);
      if (devConsole) TerminalSetup.emitDevConsole(b);
      if (owner != 0) TerminalSetup.emitOwner(b, owner);
      b.call(Sys.CLOSE_RANGE, 3L, 0xffffffffL, 4L).describe("cloexec");
      b.call(Sys.EXECVE, "/bin/sh", b.stringArray(List.of("sh")), b.stringArray(List.of("PATH=/bin:/usr/bin", "PS1=")))
          .describe("exec /bin/sh");
      ChildProgram p = b.build();
      Spawner.Child c = Spawner.clone(p, ch, Clone.CLONE_NEWNS | Clone.CLONE_NEWPID, -1);
      Libc.close(client); // the child holds the only copy now: EOF on conn if it dies first
      ch.release();
      UnixSockets.Received got = new UnixSockets.Received(new byte[0], -1);
      if (conn >= 0) {
        try {
          got = UnixSockets.recv(conn, 4096);
        } finally {
          Libc.close(conn);
        }
      }
      if (got.fd() < 0) {
        Spawner.next(p, ch, c.pid(), Set.of()); // throws the failed step
        throw new AssertionError("no master and no failed step");
      }
      int master = got.fd();
      try {
        assertThat(Spawner.next(p, ch, c.pid(), Set.of()).eof()).isTrue();
        Libc.write(master, input.getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (true) {
          int n;
          try {
            n = Libc.read(master, buf, buf.length);
          } catch (SysException e) {
            if (e.errno() == Errno.EIO) break; // every slave fd closed: the shell is gone
            throw e;
          }
          if (n == 0) break;
          out.write(buf, 0, n);
        }
        int[] st = Libc.wait4(c.pid(), 0);
        return new Outcome(Libc.exitCode(st[1]), out.toString(StandardCharsets.UTF_8),
            new String(got.payload(), StandardCharsets.UTF_8));
      } finally {
        Libc.close(master);
      }
    }
  }

  @Test
  void shellRunsOnTheContainersOwnTerminal() throws Exception {
    Outcome o = run(new Box(33L, 101L), true, 1234,
        "echo h''i; tty; stty size; test /dev/console -ef /dev/pts/0 && echo con''sole; echo owner $(stat -c %u /dev/pts/0); exit 3\n", true);
    assertThat(o.exit()).isEqualTo(3);
    assertThat(o.payload()).isEqualTo("/dev/pts/0");
    assertThat(o.output()).contains("hi\r\n", "/dev/pts/0\r\n", "33 101\r\n", "console\r\n", "owner 1234\r\n");
  }

  @Test
  void withoutConsoleSizeTheShellStillGetsATerminal() throws Exception {
    Outcome o = run(null, false, 0, "tty; exit 0\n", true);
    assertThat(o.exit()).isZero();
    assertThat(o.output()).contains("/dev/pts/0\r\n");
  }

  @Test
  void engineThatHungUpIsOneClearErrorNotASigpipe() {
    assertThatThrownBy(() -> run(null, false, 0, null, true))
        .isInstanceOf(StepFailedException.class)
        .hasMessage("send the terminal's master to the console socket: broken pipe (EPIPE)");
  }

  @Test
  void missingDevptsIsOneClearError() {
    assertThatThrownBy(() -> run(null, false, 0, "", false))
        .isInstanceOf(StepFailedException.class)
        .hasMessageStartingWith("open /dev/pts/ptmx for the terminal")
        .hasMessageEndingWith("no such file or directory (ENOENT)");
  }
}
