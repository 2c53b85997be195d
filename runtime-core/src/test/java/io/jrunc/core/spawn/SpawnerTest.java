package io.jrunc.core.spawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.sys.Clone;
import io.jrunc.core.sys.KernelSigaction;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.Sys;
import io.jrunc.testsupport.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trampoline on the real kernel (needs root for the namespaces). */
class SpawnerTest {
  @TempDir Path tmp;

  /** Runs `sh -c script` with stdout to a file, in new UTS+PID namespaces; returns {exit code, output}. */
  private Object[] run(String hostname, String script) throws Exception {
    Path out = tmp.resolve("out-" + System.nanoTime());
    try (SpawnChannel ch = new SpawnChannel(); ProgramBuilder b = new ProgramBuilder()) {
      b.call(Sys.READ, ch.syncRead(), b.alloc(8), 1L).atLeast(1).describe("wait for the parent");
      if (hostname != null) b.call(Sys.SETHOSTNAME, hostname, (long) hostname.length()).describe("set hostname " + hostname);
      Step fd = b.call(Sys.OPENAT, (long) Open.AT_FDCWD, out.toString(), (long) (Open.O_WRONLY | Open.O_CREAT), 0644L)
          .describe("open " + out);
      b.call(Sys.DUP3, fd, 1L, 0L).describe("dup stdout");
      b.call(Sys.EXECVE, "/bin/sh", b.stringArray(List.of("sh", "-c", script)), b.stringArray(List.of("PATH=/bin:/usr/bin")))
          .describe("exec /bin/sh");
      ChildProgram p = b.build();
      Spawner.Child c = Spawner.clone(p, ch, Clone.CLONE_NEWUTS | Clone.CLONE_NEWPID, -1);
      ch.release();
      Spawner.Report r = Spawner.next(p, ch, c.pid(), Set.of());
      assertThat(r.eof()).isTrue();
      int[] st = Libc.wait4(c.pid(), 0);
      return new Object[] {Libc.exitCode(st[1]), Files.readString(out)};
    }
  }


  @RequiresRoot("clones the trampoline into new uts and pid namespaces")
  @Test
  void childRunsInItsOwnNamespacesAndExecs() throws Exception {
    Object[] r = run("jrunc-ctr", "echo $(hostname) $$; exit 7");
    assertThat(r[0]).isEqualTo(7);
    assertThat((String) r[1]).isEqualTo("jrunc-ctr 1\n");
  }

  @Test
  void failedStepIsReportedWithItsDescriptionAndErrno() throws Exception {
    try (SpawnChannel ch = new SpawnChannel(); ProgramBuilder b = new ProgramBuilder()) {
      b.call(Sys.MKDIRAT, (long) Open.AT_FDCWD, tmp.toString(), 0755L).allow(17, 0).describe("mkdir " + tmp);
      b.call(Sys.OPENAT, (long) Open.AT_FDCWD, "/nonexistent/x", 0L, 0L).describe("open /nonexistent/x");
      b.call(Sys.EXECVE, "/bin/true", b.stringArray(List.of("true")), b.stringArray(List.of()));
      ChildProgram p = b.build();
      Spawner.Child c = Spawner.clone(p, ch, 0, -1);
      assertThatThrownBy(() -> Spawner.next(p, ch, c.pid(), Set.of()))
          .isInstanceOf(StepFailedException.class)
          .hasMessage("open /nonexistent/x: no such file or directory (ENOENT)");
    }
  }

  /**
   * A failed step with a say prefix writes the prefix, the errno's text and a newline to fd 2
   * (here a file) in one write, then reports as any failed step: ENOENT, EINVAL, ENOTSOCK (far
   * in the table) and an execve the kernel refuses with ENOEXEC; a step without a prefix says
   * nothing. (An errno without a text, "unknown error": CliLifecycleTest, through seccomp.)
   */
  @Test
  void aFailedStepWithASayWritesItToStderrBeforeItsReport() throws Exception {
    Path script = Files.writeString(tmp.resolve("noshebang"), "echo ran\n");
    Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    record Case(String name, java.util.function.BiConsumer<ProgramBuilder, Step> failing, String said, String report) {}
    List<Case> cases = List.of(
        new Case("einval", (b, f) -> b.call(Sys.SETNS, f, 0L).describe("setns to a file").sayOnFailure("setns: "),
            "setns: invalid argument\n", "setns to a file: invalid argument (EINVAL)"),
        new Case("enoent", (b, f) -> b.call(Sys.OPENAT, (long) Open.AT_FDCWD, "/nonexistent/x", 0L, 0L)
            .describe("open /nonexistent/x").sayOnFailure("open /nonexistent/x: "),
            "open /nonexistent/x: no such file or directory\n", "open /nonexistent/x: no such file or directory (ENOENT)"),
        new Case("enotsock", (b, f) -> b.call(Sys.CONNECT, f, b.alloc(16), 16L).describe("connect")
            .sayOnFailure("connect a file: "), "connect a file: socket operation on non-socket\n",
            "connect: socket operation on non-socket (ENOTSOCK)"),
        new Case("enoexec", (b, f) -> b.call(Sys.EXECVE, script.toString(), b.stringArray(List.of("x")),
            b.stringArray(List.of())).describe("exec ", script).sayOnFailure("exec " + script + ": "),
            "exec " + script + ": exec format error\n", "exec " + script + ": exec format error (ENOEXEC)"),
        new Case("quiet", (b, f) -> b.call(Sys.OPENAT, (long) Open.AT_FDCWD, "/nonexistent/x", 0L, 0L)
            .describe("open /nonexistent/x"), "", "open /nonexistent/x: no such file or directory (ENOENT)"));
    for (Case c : cases) {
      Path err = tmp.resolve("err-" + c.name());
      try (SpawnChannel ch = new SpawnChannel(); ProgramBuilder b = new ProgramBuilder()) {
        Step fd = b.call(Sys.OPENAT, (long) Open.AT_FDCWD, err.toString(), (long) (Open.O_WRONLY | Open.O_CREAT), 0600L)
            .describe("open " + err);
        b.call(Sys.DUP3, fd, 2L, 0L).describe("dup stderr");
        c.failing().accept(b, fd);
        b.call(Sys.EXECVE, "/bin/true", b.stringArray(List.of("true")), b.stringArray(List.of()));
        ChildProgram p = b.build();
        Spawner.Child child = Spawner.clone(p, ch, 0, -1);
        assertThatThrownBy(() -> Spawner.next(p, ch, child.pid(), Set.of()))
            .as(c.name()).isInstanceOf(StepFailedException.class).hasMessage(c.report())
            // the caller is told whether it was said (a foreground run then adds no line of its own)
            .extracting(e -> ((StepFailedException) e).said()).isEqualTo(!c.said().isEmpty());
        assertThat(Files.readString(err)).as(c.name()).isEqualTo(c.said());
      }
    }
  }

  /**
   * A say into a stderr whose reader is gone (a pipe's read end closed), with SIGPIPE's default
   * action and no signal blocked, as in init: the write's SIGPIPE must not end the child before its report (the parent
   * would read EOF, an exec that worked), so the failure still reaches the parent.
   */
  @Test
  void aSayIntoABrokenPipeStillReports() throws Exception {
    int[] pipe = Libc.pipe2(Open.O_CLOEXEC);
    try (SpawnChannel ch = new SpawnChannel(); ProgramBuilder b = new ProgramBuilder()) {
      b.call(Sys.DUP3, b.inherit(pipe[1]), 2L, 0L).describe("dup stderr");
      // SIGPIPE's default action, as init has it (it resets what the JVM ignores)
      long dfl = b.stagedLongs(KernelSigaction.LAYOUT.byteSize(), KernelSigaction.FIELDS, KernelSigaction.defaultFields());
      b.call(Sys.RT_SIGACTION, 13L, dfl, 0L, KernelSigaction.SIGSET.byteSize()).describe("default SIGPIPE");
      b.call(Sys.RT_SIGPROCMASK, 2L, b.alloc(8), 0L, 8L).describe("unblock every signal"); // as init does (SIG_SETMASK)
      b.call(Sys.OPENAT, (long) Open.AT_FDCWD, "/nonexistent/x", 0L, 0L).describe("open /nonexistent/x")
          .sayOnFailure("open /nonexistent/x: ");
      b.call(Sys.EXECVE, "/bin/true", b.stringArray(List.of("true")), b.stringArray(List.of()));
      ChildProgram p = b.build();
      Libc.close(pipe[0]); // no reader, before the child can write
      Spawner.Child child = Spawner.clone(p, ch, 0, -1);
      assertThatThrownBy(() -> Spawner.next(p, ch, child.pid(), Set.of()))
          .isInstanceOf(StepFailedException.class).hasMessage("open /nonexistent/x: no such file or directory (ENOENT)");
    } finally {
      Libc.close(pipe[1]);
    }
  }

  @RequiresRoot("clones the trampoline into a new pid namespace")
  @Test
  void forkSafeUnderAllocationPressure() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    Thread[] churn = new Thread[2];
    for (int t = 0; t < churn.length; t++) {
      churn[t] = new Thread(() -> {
        var junk = new java.util.ArrayList<byte[]>();
        while (!stop.get()) {
          junk.add(new byte[1024]);
          if (junk.size() > 10_000) junk.clear();
        }
      });
      churn[t].start();
    }
    try {
      for (int i = 0; i < 300; i++) {
        try (SpawnChannel ch = new SpawnChannel(); ProgramBuilder b = new ProgramBuilder()) {
          b.call(Sys.EXECVE, "/bin/true", b.stringArray(List.of("true")), b.stringArray(List.of()));
          ChildProgram p = b.build();
          Spawner.Child c = Spawner.clone(p, ch, Clone.CLONE_NEWPID, -1);
          assertThat(Spawner.next(p, ch, c.pid(), Set.of()).eof()).isTrue();
          assertThat(Libc.exitCode(Libc.wait4(c.pid(), 0)[1])).isZero();
        }
      }
    } finally {
      stop.set(true);
      for (Thread t : churn) t.join();
    }
  }
}
