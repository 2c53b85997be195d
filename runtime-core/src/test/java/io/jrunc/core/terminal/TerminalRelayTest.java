package io.jrunc.core.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.spawn.Spawner;
import io.jrunc.core.sys.Clone;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Mount;
import io.jrunc.core.sys.Signal;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.sys.Termios;
import io.jrunc.testsupport.RequiresRoot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TerminalRelay} under a real pseudo-terminal: the test opens a pty pair and gives its
 * slave to the relay as "the caller's terminal"; the test types into and reads the screen from
 * that pty's master, like a terminal emulator. The container is a shell in new mount and pid
 * namespaces with its own devpts, set up by {@link TerminalSetup}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@RequiresRoot("runs a shell in new mount and pid namespaces with its own devpts")
class TerminalRelayTest {
  @Test
  void relaysKeysOutputAndWindowSizeAndRestoresTheCallersTerminal() throws Exception {
    int[] caller = Termios.openPty();
    int screen = caller[0];
    int callerTty = caller[1];
    try {
      Termios.setWindowSize(callerTty, new Termios.Size(40, 120, 0, 0));
      Termios.Attrs before = Termios.get(callerTty);
      assertThat(before.lflag() & Termios.ICANON).isNotZero();
      int pid;
      try (TerminalRelay relay = TerminalRelay.prepare();
          SpawnChannel ch = new SpawnChannel();
          ProgramBuilder b = new ProgramBuilder()) {
        b.call(Sys.READ, ch.syncRead(), b.alloc(8), 1L).atLeast(1).describe("wait for the parent");
        b.call(Sys.MOUNT, "none", "/", 0L, Mount.MS_REC | Mount.MS_PRIVATE, 0L).describe("make / private");
        b.call(Sys.MOUNT, "devpts", "/dev/pts", "devpts", 0L, "newinstance,ptmxmode=0666").describe("mount devpts");
        TerminalSetup.emit(b, relay.childSocketFd(), null);
        b.call(Sys.CLOSE_RANGE, 3L, 0xffffffffL, 4L).describe("cloexec");
        b.call(Sys.EXECVE, "/bin/sh", b.stringArray(List.of("sh")), b.stringArray(List.of("PATH=/bin:/usr/bin", "PS1=")))
            .describe("exec /bin/sh");
        ChildProgram p = b.build();
        Spawner.Child c = Spawner.clone(p, ch, Clone.CLONE_NEWNS | Clone.CLONE_NEWPID, -1);
        pid = c.pid();
        ch.release();
        relay.receiveMaster();
        assertThat(Spawner.next(p, ch, pid, Set.of()).eof()).isTrue();
        relay.start(callerTty, callerTty);
        assertThat(relay.resizeMode()).isEqualTo("signal");
        // raw mode while relaying: the container's terminal does the line editing
        assertThat(Termios.get(callerTty).lflag() & (Termios.ICANON | Termios.ECHO)).isZero();

        type(screen, "stty size; read x; stty size; exit 5\r");
        StringBuilder seen = new StringBuilder();
        readUntil(screen, seen, "40 120\r\n");
        Termios.setWindowSize(callerTty, new Termios.Size(50, 130, 0, 0));
        Libc.kill(Libc.getpid(), Signal.SIGWINCH); // what the kernel sends the foreground group on a resize
        Thread.sleep(300);
        type(screen, "\r");
        readUntil(screen, seen, "50 130\r\n");
        int[] st = Libc.wait4(pid, 0);
        assertThat(Libc.exitCode(st[1])).isEqualTo(5);
        assertThat(relay.awaitOutput(Duration.ofSeconds(5))).isTrue();
        assertThat(relay.error()).isNull();
      }
      // restored on close
      assertThat(Termios.get(callerTty).raw()).isEqualTo(before.raw());
    } finally {
      Libc.close(screen);
      Libc.close(callerTty);
    }
  }

  private static void type(int fd, String s) throws Exception {
    Libc.write(fd, s.getBytes(StandardCharsets.UTF_8));
  }

  private static void readUntil(int fd, StringBuilder seen, String want) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    byte[] buf = new byte[4096];
    while (!seen.toString().contains(want)) {
      if (System.nanoTime() > deadline) throw new AssertionError("no " + want.trim() + " in: " + seen);
      if (Termios.pollIn(fd, 200) == 0) continue;
      int n = Libc.read(fd, buf, buf.length);
      seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
    }
  }
}
