package io.jrunc.core.process;


import io.jrunc.core.failure.InvalidConfigFailure;
import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.sys.Prctl;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.terminal.TerminalSetup;
import io.jrunc.spec.Process;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Plans the program of a process that joins a running container ({@code exec}).
 *
 * <table>
 *   <caption>The exec program</caption>
 *   <tr><th>#</th><th>steps</th><th>why</th></tr>
 *   <tr><td>1</td><td>prologue: signals, PDEATHSIG, not dumpable, wait for the parent</td><td>as
 *       for init; the parent puts the process in the container's cgroup meanwhile</td></tr>
 *   <tr><td>2</td><td>setns into each of the container's namespaces, user first, mount
 *       last</td><td>a hostile container sees a non-dumpable process holding no host fd
 *       but the ones it is meant to get</td></tr>
 *   <tr><td>3</td><td>with a pid namespace: clone3(CLONE_PARENT); the first child announces
 *       the second's pid on the report pipe and exits 0</td><td>setns(pid) only affects
 *       children; CLONE_PARENT makes the runtime the new process's parent so it can wait for
 *       its exit status</td></tr>
 *   <tr><td>3a</td><td>with a console fd: {@link TerminalSetup#emit} (pty from the
 *       container's devpts, master sent, slave as stdio and controlling terminal), and
 *       {@link TerminalSetup#emitOwner} for a non-root uid; without one, setsid</td><td>after
 *       the joins so the pty and its name are the container's; stdio is then not dup'd (the
 *       caller passes {-1,-1,-1}). Either way the process leads its own session and process
 *       group, as runc's do</td></tr>
 *   <tr><td>4</td><td>personality, memory policy, scheduler, ioPriority, rlimits, stdio, close_range, cwd,
 *       user and capabilities, final CPU affinity, clear PDEATHSIG</td><td>before any seccomp filter (a profile need not
 *       allow them)</td></tr>
 *   <tr><td>5</td><td>seccomp (with no_new_privs), execve</td><td></td></tr>
 * </table>
 */
public final class ExecPlanner {
  private ExecPlanner() {}


  public record Inputs(
      Process process,
      Map<String, Integer> joinFds,
      Map<String, String> joinPaths,
      boolean forkIntoPidNamespace,
      SpawnChannel channel,
      int[] stdio,
      int preserveFds,
      String executable,
      InitPlanner.ChildSteps extra,
      int consoleFd,
      io.jrunc.spec.LinuxPersonality personality,
      io.jrunc.spec.LinuxMemoryPolicy memoryPolicy,
      boolean containerCpus) {
    /**
     * A hook: no terminal, and the runtime's CPU affinity (runc's hooks inherit it). An exec'd
     * process ({@code containerCpus}) gets {@code execCPUAffinity.final} or the container's cpuset.
     */
    Inputs(Process process, Map<String, Integer> joinFds, Map<String, String> joinPaths, boolean forkIntoPidNamespace,
        SpawnChannel channel, int[] stdio, int preserveFds, String executable, InitPlanner.ChildSteps extra) {
      this(process, joinFds, joinPaths, forkIntoPidNamespace, channel, stdio, preserveFds, executable, extra, -1, null, null, false);
    }
  }

  /** The program, and the index of the step whose result is the announced pid (-1 without a fork). */
  public record Planned(ChildProgram program, int announcingStep) {}

  /**
   * The first steps, before the process joins the container's cgroup (its v1 self-join follows):
   * {@code execCPUAffinity.initial}. {@link #plan} sets the final affinity once it is in.
   */
  public static void beforeCgroupJoin(ProgramBuilder b, Process proc) {
    ProcessAttributes.initialAffinity(b, proc);
  }

  public static Planned plan(ProgramBuilder b, Inputs in) throws InvalidConfigFailure {
    ProcessSteps.prologue(b, in.channel());
    b.call(Sys.CLOSE, in.channel().syncRead()).describe("close the sync pipe");
    ProcessSteps.joinNamespaces(b, in.joinFds(), in.joinPaths());
    int announce = -1;
    if (in.forkIntoPidNamespace()) announce = ProcessSteps.forkIntoPidNamespace(b, in.channel());
    Process proc = in.process();
    if (in.consoleFd() >= 0) {
      // the pty comes from the container's devpts (we are in its mount namespace now) and the
      // process is in its pid namespace, so /proc/self/fd/0 names the slave as it sees it
      TerminalSetup.emit(b, in.consoleFd(), proc.consoleSize());
      long uid = proc.user() == null || proc.user().uid() == null ? 0 : proc.user().uid();
      if (uid != 0) TerminalSetup.emitOwner(b, uid);
    } else {
      // Without a terminal (whose setup starts a session) the process would stay in the
      // runtime's session and process group, which lie outside its pid namespace: getpgrp()
      // returns 0 and a shell's job control breaks. runc's exec'd processes lead a session and
      // group of their own (pgid = sid = pid); as the child of a fork it leads none yet.
      b.call(Sys.SETSID).allow(io.jrunc.core.sys.Errno.EPERM).describe("start a new session");
    }
    // the container's personality and memory policy hold for every process in it (runc applies
    // both on exec too; a policy is inherited through fork, and exec is not init's child)
    ProcessAttributes.personality(b, in.personality());
    ProcessAttributes.memoryPolicy(b, in.memoryPolicy());
    ProcessAttributes.scheduler(b, proc.scheduler());
    ProcessAttributes.ioPriority(b, proc.ioPriority());
    ProcessSteps.rlimits(b, proc);
    ProcessSteps.fds(b, in.stdio(), in.preserveFds());
    String cwd = proc.cwd() == null || proc.cwd().isEmpty() ? "/" : proc.cwd();
    b.call(Sys.CHDIR, cwd).describe("chdir to cwd ", cwd);
    ProcessSteps.checkCwdInside(b, cwd);
    ProcessSteps.identity(b, proc, in.extra(), setgroupsAllowed(in.joinPaths().get("user")));
    if (in.containerCpus()) ProcessAttributes.finalAffinity(b, proc);
    b.call(Sys.PRCTL, (long) Prctl.PR_SET_PDEATHSIG, 0L, 0L, 0L, 0L).describe("clear the parent-death signal");
    in.extra().beforeReady(b);
    ProcessSteps.execute(b, in.extra(), in.executable(), proc);
    return new Planned(b.build(), announce);
  }

  /**
   * Whether the joined user namespace ({@code /proc/PID/ns/user}, or null for none) lets its
   * processes call setgroups(2): a rootless container's has {@code deny} in /proc/PID/setgroups
   * (user_namespaces(7)), where dropping the runtime's groups fails with EPERM; runc skips it
   * there too.
   */
  static boolean setgroupsAllowed(String userNsPath) {
    if (userNsPath == null) return true;
    Path file = Path.of(userNsPath).getParent().resolveSibling("setgroups");
    try {
      // the path comes from config.json's user namespace path: read as any untrusted file
      return !new String(io.jrunc.core.sys.BoundedFile.read(file, "setgroups", 4096, io.jrunc.core.sys.BoundedFile.Links.FOLLOW),
          java.nio.charset.StandardCharsets.US_ASCII).trim().equals("deny");
    } catch (IOException e) {
      return true; // pre-3.19 kernel without the file: setgroups is allowed
    }
  }
}
