package io.jrunc.core.process;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.Failures;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.state.StateStore;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.SysException;
import io.jrunc.spec.Spec;
import io.jrunc.core.security.SecurityConfigException;
import io.jrunc.core.security.SecurityPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What create, exec and the hook launcher share: security plans, namespace joins, stdio, wait statuses. */
public final class LaunchSupport {
  private LaunchSupport() {}

  /** Compiles seccomp and plans capabilities/LSM in the parent: config errors surface before any clone. */
  public static SecurityPlan prepareSecurity(Spec spec) throws ContainerFailure {
    return prepareSecurity(spec, null);
  }

  /** As {@link #prepareSecurity(Spec)}, a compiled seccomp filter also kept in {@code stateRoot}. */
  public static SecurityPlan prepareSecurity(Spec spec, java.nio.file.Path stateRoot) throws ContainerFailure {
    try {
      return SecurityPlan.prepare(spec, stateRoot);
    } catch (SecurityConfigException | SysException e) {
      throw Failures.translate(e);
    }
  }

  public static String ociVersion(Spec spec) {
    return spec.ociVersion() == null ? "1.3.0" : spec.ociVersion();
  }

  static final InitPlanner.ChildSteps NO_EXTRA = (pb, beforePivot) -> {};

  /** The steps whose report carries a value: the pid a fork announces, the seccomp listener. */
  public static Set<Integer> announcing(int forkStep, SecurityPlan security) {
    Set<Integer> s = new java.util.HashSet<>();
    if (forkStep >= 0) s.add(forkStep);
    if (security.listenerStep() >= 0) s.add(security.listenerStep());
    return s;
  }

  public static InitPlanner.ChildSteps securitySteps(SecurityPlan security) {
    return securitySteps(security, (pb, beforePivot) -> {});
  }

  /** The security plan's steps at their places around the user switch, and the given rootfs steps. */
  public static InitPlanner.ChildSteps securitySteps(SecurityPlan security,
      java.util.function.BiConsumer<ProgramBuilder, java.util.function.Consumer<ProgramBuilder>> rootfs) {
    return new InitPlanner.ChildSteps() {
      @Override
      public void rootfs(ProgramBuilder pb, java.util.function.Consumer<ProgramBuilder> beforePivot) {
        rootfs.accept(pb, beforePivot);
      }

      @Override
      public void beforeUserSwitch(ProgramBuilder pb) {
        security.beforeUserSwitch(pb);
      }

      @Override
      public void afterUserSwitch(ProgramBuilder pb) {
        security.afterUserSwitch(pb);
      }

      @Override
      public void beforeReady(ProgramBuilder pb) {
        security.beforeReady(pb);
      }
    };
  }

  /**
   * Opens /proc/pid/ns/* for every namespace type the container has that differs from ours
   * (setns into one's own user namespace is EINVAL). Returns whether a pid namespace is joined.
   */
  public static boolean openJoins(Path procRoot, Namespaces ns, Map<String, Integer> fds, Map<String, String> paths,
      List<AutoCloseable> cleanup) throws SetupExceptionIO {
    boolean forkPid = false;
    for (String type : Namespaces.JOIN_ORDER) {
      if (!ns.has(type)) continue;
      Path theirs = procRoot.resolve("ns").resolve(Namespaces.procName(type));
      Path ours = Path.of("/proc/self/ns").resolve(Namespaces.procName(type));
      try {
        if (Files.isSameFile(theirs, ours)) continue;
        int fd = Libc.open(theirs.toString(), Open.O_RDONLY | Open.O_CLOEXEC, 0);
        cleanup.add(() -> Libc.close(fd));
        fds.put(type, fd);
        paths.put(type, theirs.toString());
        if (type.equals("pid")) forkPid = true;
      } catch (IOException x) {
        throw new SetupExceptionIO("open " + theirs + ": " + x.getMessage(), x);
      }
    }
    return forkPid;
  }

  /** An IOException that already names what failed. */
  static final class SetupExceptionIO extends IOException {
    SetupExceptionIO(String message, IOException cause) {
      super(message, cause);
    }
  }

  public static void openStdio(ProcessStdio s, int[] stdio, int[] callerPipes, List<AutoCloseable> cleanup) throws SetupFailure {
    if (s == null) return;
    ProcessStdio.Stream[] streams = {s.in(), s.out(), s.err()};
    for (int i = 0; i < 3; i++) {
      try {
        // instanceof, not a pattern switch: its typeSwitch bootstrap spins a class at run time
        // (not kept by the AOT cache) on every cold create
        ProcessStdio.Stream stream = java.util.Objects.requireNonNull(streams[i], "stdio stream");
        if (stream instanceof ProcessStdio.ToFile f) {
          int flags = i == 0 ? Open.O_RDONLY : Open.O_WRONLY | Open.O_CREAT | Open.O_APPEND;
          int fd = Libc.open(f.path().toString(), flags | Open.O_CLOEXEC, 0644);
          stdio[i] = fd;
          cleanup.add(() -> Libc.close(fd));
        } else if (stream instanceof ProcessStdio.Pipe) {
          int[] pipe = Libc.pipe2(Open.O_CLOEXEC);
          int childEnd = i == 0 ? pipe[0] : pipe[1];
          callerPipes[i] = i == 0 ? pipe[1] : pipe[0];
          stdio[i] = childEnd;
          cleanup.add(() -> Libc.close(childEnd));
        } // ProcessStdio.Inherit: nothing to open
      } catch (SysException x) {
        throw new SetupFailure("set up stdio: " + x.getMessage(), x.errno(), x);
      }
    }
  }

  public static void writePidFile(Path pidFile, int pid) throws IOException {
    Path abs = pidFile.toAbsolutePath();
    StateStore.writeAtomically(abs, Integer.toString(pid).getBytes());
  }

  /** Removes a pid file {@link #writePidFile} wrote for a process that is ended again (best effort). */
  public static void removePidFile(Path pidFile) {
    try {
      Files.deleteIfExists(pidFile.toAbsolutePath());
    } catch (IOException | RuntimeException ignored) {
      // the failure that ends the process is the one to report
    }
  }

  /** A wait status as Go's os/exec words it (runc's messages): "exit status 1", "signal: bad system call". */
  public static String describeWait(int st) {
    int sig = st & 0x7f;
    if (sig == 0) return "exit status " + ((st >> 8) & 0xff);
    String name = switch (sig) {
      case 1 -> "hangup";
      case 2 -> "interrupt";
      case 3 -> "quit";
      case 4 -> "illegal instruction";
      case 5 -> "trace/breakpoint trap";
      case 6 -> "aborted";
      case 7 -> "bus error";
      case 8 -> "floating point exception";
      case 9 -> "killed";
      case 10 -> "user defined signal 1";
      case 11 -> "segmentation fault";
      case 12 -> "user defined signal 2";
      case 13 -> "broken pipe";
      case 14 -> "alarm clock";
      case 15 -> "terminated";
      case 31 -> "bad system call";
      default -> "signal " + sig;
    };
    return "signal: " + name;
  }

  public static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // best effort during cleanup
    }
  }

  public static void reapQuietly(int pid) {
    try {
      Libc.wait4(pid, 0); // it exits right after reporting
    } catch (SysException ignored) {
      // gone already
    }
  }
}
