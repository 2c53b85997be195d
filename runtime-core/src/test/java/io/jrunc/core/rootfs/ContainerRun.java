package io.jrunc.core.rootfs;

import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.Label;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.spawn.Spawner;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.spawn.StepFailedException;
import io.jrunc.core.sys.Clone;
import io.jrunc.core.sys.CloneArgs;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.Sys;
import io.jrunc.spec.Json;
import io.jrunc.spec.Spec;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Test support: a busybox bundle, and a child that runs RootfsSetup then {@code sh -c script}. */
final class ContainerRun {
  private ContainerRun() {}

  record Result(int exit, String out) {}

  /** A bundle dir with rootfs/ holding busybox and its applet symlinks in /bin. */
  static Path bundle(Path dir) throws Exception {
    Path rootfs = dir.resolve("rootfs");
    Files.createDirectories(rootfs.resolve("bin"));
    Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
    Process p = new ProcessBuilder(rootfs.resolve("bin/busybox").toString(), "--install", "-s", rootfs.resolve("bin").toString())
        .inheritIO().start();
    if (p.waitFor() != 0) throw new IllegalStateException("busybox --install failed");
    // busybox --install -s makes absolute links to the binary's host path: point them at /bin/busybox
    try (var s = Files.list(rootfs.resolve("bin"))) {
      for (Path l : s.toList()) {
        if (Files.isSymbolicLink(l)) {
          Files.delete(l);
          Files.createSymbolicLink(l, Path.of("busybox"));
        }
      }
    }
    return dir;
  }

  static Spec spec(String json) throws IOException {
    return Json.read(json, Spec.class);
  }

  /** Mount points (with types) of the host as this JVM sees them. */
  static Set<String> hostMounts() throws IOException {
    Set<String> s = new TreeSet<>();
    for (HostMounts.Entry e : HostMounts.read().entries()) {
      s.add(e.mountPoint() + " " + e.fsType() + " " + e.mountOptions() + " " + e.superOptions());
    }
    return s;
  }

  /** Runs the rootfs setup for {@code ctx} in a child with {@code flags}, then {@code sh -c script}. */
  static Result run(RootfsContext ctx, long flags, String script) throws Exception {
    Path out = Files.createTempFile("jrunc-rootfs-out", ".txt");
    try (SpawnChannel ch = new SpawnChannel(); ProgramBuilder b = new ProgramBuilder();
        RootfsSetup setup = RootfsSetup.plan(ctx)) {
      // the spawn stub keeps only the channel's child ends (and what the program inherits)
      boolean user = (flags & Clone.CLONE_NEWUSER) != 0;
      if (user) {
        // as init does (InitPlanner): the stub, exec'd with our capabilities, makes the user
        // namespace and those it owns, and forks into the new pid namespace once mapped
        b.call(Sys.UNSHARE, flags).describe("unshare the namespaces");
        b.call(Sys.WRITE, (long) ch.reportWrite(), b.bytes(userNsReport()), 16L).describe("report the user namespace");
      }
      b.call(Sys.READ, ch.syncRead(), b.alloc(8), 1L).atLeast(1).describe("wait for the parent");
      Step fork = null;
      if (user) {
        MemorySegment args = CloneArgs.write(b.alloc(CloneArgs.LAYOUT), Clone.CLONE_PARENT, 0, 0, 0);
        Label parentSide = b.label();
        Label childSide = b.label();
        fork = b.call(Sys.CLONE3, args, args.byteSize()).jumpIfPositive(parentSide).describe("fork into the pid namespace");
        b.call(Sys.GETPID).jumpIfPositive(childSide).describe("getpid");
        b.place(parentSide);
        b.call(Sys.WRITE, (long) ch.reportWrite(), fork.reportSlot(), 16L).describe("announce the pid");
        b.call(Sys.EXIT_GROUP, 0L).describe("exit");
        b.place(childSide);
      }
      Step fd = b.call(Sys.OPENAT, (long) Open.AT_FDCWD, out.toString(), (long) (Open.O_WRONLY | Open.O_CREAT | 02000000), 0644L)
          .describe("open " + out);
      b.call(Sys.DUP3, fd, 1L, 0L).describe("dup stdout");
      b.call(Sys.DUP3, fd, 2L, 0L).describe("dup stderr");
      setup.emit(b);
      b.call(Sys.EXECVE, "/bin/sh", b.stringArray(List.of("sh", "-c", script)),
          b.stringArray(List.of("PATH=/bin:/usr/bin"))).describe("exec /bin/sh");
      ChildProgram p = b.build();
      Spawner.Child c = Spawner.clone(p, ch, user ? 0 : flags, -1);
      setup.close();
      int pid = c.pid();
      if (user) {
        if (!Spawner.next(p, ch, pid, Set.of()).userNamespace()) throw new IllegalStateException("no user namespace report");
        Files.writeString(Path.of("/proc/" + pid + "/uid_map"), "0 0 4294967295");
        Files.writeString(Path.of("/proc/" + pid + "/setgroups"), "deny");
        Files.writeString(Path.of("/proc/" + pid + "/gid_map"), "0 0 4294967295");
        ch.release();
        pid = (int) Spawner.next(p, ch, pid, Set.of(fork.index())).value();
        Libc.wait4(c.pid(), 0);
      } else {
        ch.release();
      }
      Spawner.next(p, ch, pid, Set.of());
      int[] st = Libc.wait4(pid, 0);
      return new Result(Libc.exitCode(st[1]), Files.readString(out));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static byte[] userNsReport() {
    return java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.nativeOrder()).putLong(SpawnChannel.USERNS).putLong(0).array();
  }

  /** Like {@link #run} but expects a failed step and returns its message. */
  static String failure(RootfsContext ctx, long flags) throws Exception {
    try {
      Result r = run(ctx, flags, "exit 0");
      throw new AssertionError("expected a failed step, got exit " + r.exit() + ": " + r.out());
    } catch (StepFailedException e) {
      return e.getMessage();
    }
  }
}
