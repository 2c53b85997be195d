package io.jrunc.core.process;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.InvalidConfigFailure;
import io.jrunc.core.hooks.HookProcess;
import io.jrunc.core.hooks.HookRunner.HookException;
import io.jrunc.core.hooks.HookRunner.Launcher;
import io.jrunc.core.security.SecurityPlan;
import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.spawn.Spawner;
import io.jrunc.core.spawn.StepFailedException;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.sys.SysException;
import io.jrunc.spec.Hook;
import io.jrunc.spec.Json;
import io.jrunc.spec.Process;
import io.jrunc.spec.Spec;
import io.jrunc.spec.State;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Starts hook processes, one way for all six kinds: jrunc's spawner runs a child program that
 * ends in {@code execve(path, args, env)}, so {@code args[0]} is the hook's argv[0] (dockerd's
 * prestart hook is its own binary dispatching on argv[0] = {@code libnetwork-setkey}), and
 * {@link HookProcess} sees it through (state on stdin, output kept, timeout, kill and reap).
 * Only the place differs, as in runc:
 *
 * <table>
 *   <caption>Where each kind runs</caption>
 *   <tr><th>kind</th><th>namespaces, identity</th><th>cwd</th><th>env without {@code env}</th></tr>
 *   <tr><td>prestart, createRuntime</td><td>the runtime's</td><td>the bundle (runc create
 *       chdirs there)</td><td>the runtime's (runc's exec.Cmd with a nil Env)</td></tr>
 *   <tr><td>createContainer</td><td>the container's, before pivot_root; the runtime's
 *       identity</td><td>the rootfs, so relative paths land in the container, never on the
 *       host</td><td>the container process's (runc runs it from its init)</td></tr>
 *   <tr><td>startContainer</td><td>the container's, after pivot_root; confined as the
 *       container's process (user, capabilities, no_new_privs, labels, seccomp)</td><td>the
 *       process's cwd</td><td>the container process's</td></tr>
 *   <tr><td>poststart, poststop</td><td>the runtime's</td><td>the runtime's own</td><td>the
 *       runtime's</td></tr>
 * </table>
 *
 * <p>In the runtime's namespaces the program only sets up stdio, leads its own process group
 * and changes directory: the hook keeps the runtime's user, groups, umask and limits, as a
 * child of runc does. In the container's it is {@link ExecPlanner}'s program (the one of
 * {@code exec}). Either way the hook leads its own process group, so that a timeout kills
 * what it started too, and gets only fds 0-2: its stdin, stdout and stderr are pipes of ours.
 */
public final class HookLauncher implements Launcher {
  private final int containerPid; // -1: the runtime's namespaces
  private final Spec spec; // null in the runtime's namespaces
  private final String cwd; // null: the runtime's own
  private final boolean confined;

  private HookLauncher(int containerPid, Spec spec, String cwd, boolean confined) {
    this.containerPid = containerPid;
    this.spec = spec;
    this.cwd = cwd;
    this.confined = confined;
  }

  /** prestart and createRuntime (cwd = the bundle); poststart and poststop (cwd null: the runtime's). */
  public static HookLauncher inRuntime(Path cwd) {
    return new HookLauncher(-1, null, cwd == null ? null : cwd.toString(), false);
  }

  /** createContainer: in the namespaces of the paused init {@code pid}, in its rootfs. */
  public static HookLauncher createContainer(int pid, Spec spec, Path rootfs) {
    return new HookLauncher(pid, spec, rootfs.toString(), false);
  }

  /** startContainer: in the namespaces of init {@code pid}, confined as its process, in its cwd. */
  public static HookLauncher startContainer(int pid, Spec spec) {
    String c = spec.process() == null || spec.process().cwd() == null || spec.process().cwd().isEmpty()
        ? "/" : spec.process().cwd();
    return new HookLauncher(pid, spec, c, true);
  }

  @Override
  public void run(Hook hook, State state) throws HookException {
    List<String> args = hook.args() == null || hook.args().isEmpty() ? List.of(hook.path()) : hook.args();
    List<AutoCloseable> cleanup = new ArrayList<>();
    try {
      int[] in = pipe(cleanup), out = pipe(cleanup), err = pipe(cleanup);
      SpawnChannel ch = new SpawnChannel();
      cleanup.add(ch);
      ProgramBuilder b = new ProgramBuilder();
      cleanup.add(b);
      // registered with the builder: the child keeps exactly the descriptors its program names
      int[] stdio = {(int) b.inherit(in[0]), (int) b.inherit(out[1]), (int) b.inherit(err[1])};
      SecurityPlan security = null;
      ChildProgram program;
      int announcing = -1;
      if (containerPid < 0) {
        program = runtimeProgram(b, ch, stdio, hook.path(), args, hook.env() != null ? hook.env() : runtimeEnv());
      } else {
        Map<String, Integer> fds = new LinkedHashMap<>();
        Map<String, String> paths = new LinkedHashMap<>();
        boolean forkPid = LaunchSupport.openJoins(Path.of("/proc", Integer.toString(containerPid)), Namespaces.of(spec),
            fds, paths, cleanup);
        for (int fd : fds.values()) b.inherit(fd);
        Process cp = spec.process();
        List<String> env = hook.env() != null ? hook.env() : cp == null ? List.of() : cp.env();
        Process proc = new Process(false, null, null, args, null, env, cwd, null, null, null, null, null, null, null,
            null, null);
        InitPlanner.ChildSteps extra = LaunchSupport.NO_EXTRA;
        if (confined && cp != null) {
          // runc runs startContainer hooks from its init, after the user switch and the
          // no_new_privs seccomp filter: the hook is confined as the container's process is
          proc = new Process(false, null, cp.user(), args, null, env, cwd, cp.capabilities(), null,
              cp.noNewPrivileges(), cp.apparmorProfile(), null, null, cp.selinuxLabel(), null, null);
          try {
            security = LaunchSupport.prepareSecurity(spec.withProcess(proc));
          } catch (ContainerFailure e) {
            throw new HookException(e.getMessage(), e);
          }
          cleanup.add(security);
          extra = LaunchSupport.securitySteps(security);
        }
        ExecPlanner.Planned planned = ExecPlanner.plan(b, new ExecPlanner.Inputs(proc, fds, paths, forkPid, ch,
            stdio, 0, hook.path(), extra));
        program = planned.program();
        announcing = planned.announcingStep();
      }
      Spawner.Child child = Spawner.clone(program, ch, 0, -1);
      if (security != null) security.afterClone();
      // our copies of the child's ends: EOF and EPIPE must reach us once the hook is gone
      Libc.close(in[0]);
      Libc.close(out[1]);
      Libc.close(err[1]);
      in[0] = out[1] = err[1] = -1;
      try {
        ch.release();
      } catch (SysException e) {
        reap(child.pid()); // it died before its release: its sync read saw EOF
        throw e;
      }
      int hookPid = waitForExec(program, ch, child.pid(), announcing);
      int stdinW = in[1], stdoutR = out[0], stderrR = err[0];
      in[1] = out[0] = err[0] = -1; // owned by supervise from here on
      HookProcess.Outcome o = HookProcess.supervise(hookPid, stdinW, stdoutR, stderrR, Json.writeBytes(state),
          hook.timeout());
      if (o.waitStatus() != 0) {
        throw new HookException(LaunchSupport.describeWait(o.waitStatus()) + tail(", stdout: ", o.stdout())
            + tail(", stderr: ", o.stderr()));
      }
    } catch (IOException | InvalidConfigFailure e) {
      throw new HookException(e.getMessage(), e);
    } finally {
      for (int i = cleanup.size() - 1; i >= 0; i--) {
        try {
          cleanup.get(i).close();
        } catch (Exception ignored) {
          // a pipe or plan already released
        }
      }
    }
  }

  /** A CLOEXEC pipe whose ends still open at the end are closed then (a closed end is set to -1). */
  private static int[] pipe(List<AutoCloseable> cleanup) throws SysException {
    int[] p = Libc.pipe2(io.jrunc.core.sys.Open.O_CLOEXEC);
    cleanup.add(() -> {
      if (p[0] >= 0) Libc.close(p[0]);
      if (p[1] >= 0) Libc.close(p[1]);
    });
    return p;
  }

  /**
   * Reads the child's reports until its execve (EOF on the CLOEXEC report pipe). Returns the
   * hook's pid: the child's, or, with a joined pid namespace, the one its fork announced.
   */
  private static int waitForExec(ChildProgram program, SpawnChannel ch, int childPid, int announcing)
      throws HookException, SysException {
    int[] hookPid = {childPid};
    Set<Integer> steps = announcing >= 0 ? Set.of(announcing) : Set.of();
    try {
      // a hook has no seccomp listener to hand over: the fork's pid is the only announcement
      return Launch.drive(program, ch, childPid, steps, -1, new Launch.Events<RuntimeException>() {
        @Override
        public void forked(int pid) {
          hookPid[0] = pid;
        }
      }).pid();
    } catch (StepFailedException x) {
      if (hookPid[0] != childPid) reap(hookPid[0]); // it exits right after reporting
      throw new HookException(x.getMessage(), x);
    }
  }

  private static void reap(int pid) {
    try {
      Libc.wait4(pid, 0);
    } catch (SysException ignored) {
      // already reaped
    }
  }

  /**
   * The program of a hook in the runtime's namespaces: stdio, the rest of the runtime's fds
   * close-on-exec, its own process group, the cwd, then execve. No identity change: the hook
   * runs as the runtime does (a rootless runtime could not set uid 0 anyway).
   */
  private ChildProgram runtimeProgram(ProgramBuilder b, SpawnChannel ch, int[] stdio, String path, List<String> args,
      List<String> env) {
    ProcessSteps.prologue(b, ch);
    b.call(Sys.CLOSE, ch.syncRead()).describe("close the sync pipe");
    ProcessSteps.fds(b, stdio, 0);
    b.call(Sys.SETPGID, 0L, 0L).describe("make the hook its own process group");
    if (cwd != null) b.call(Sys.CHDIR, cwd).describe("chdir to ", cwd);
    b.call(Sys.PRCTL, (long) io.jrunc.core.sys.Prctl.PR_SET_PDEATHSIG, 0L, 0L, 0L, 0L).describe("clear the parent-death signal");
    b.call(Sys.EXECVE, path, b.stringArray(args), b.stringArray(env)).describe("exec ", path);
    return b.build();
  }

  /** The runtime's environment, as runc passes its own to a hook without {@code env}. */
  private static List<String> runtimeEnv() {
    List<String> env = new ArrayList<>();
    System.getenv().forEach((k, v) -> env.add(k + "=" + v));
    return env;
  }

  private static String tail(String label, String s) {
    String t = s.trim();
    if (t.isEmpty()) return "";
    return label + (t.length() > 500 ? t.substring(t.length() - 500) : t);
  }
}
