package io.jrunc.core.container;

import static io.jrunc.core.process.LaunchSupport.*;
import static io.jrunc.core.container.ContainerCgroups.*;
import static io.jrunc.core.container.InitSignals.*;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.Failures;
import io.jrunc.core.failure.InvalidConfigFailure;
import io.jrunc.core.failure.InvalidStateFailure;
import io.jrunc.core.failure.NotFoundFailure;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.failure.Status;
import io.jrunc.core.process.ExecPlanner;
import io.jrunc.core.process.ExecutableLookup;
import io.jrunc.core.rootfs.ContainerTree;
import io.jrunc.core.process.Launch;
import io.jrunc.core.process.Namespaces;
import io.jrunc.core.process.ProcessEnv;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.spawn.Spawner;
import io.jrunc.core.spawn.StepFailedException;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.ProcStat;
import io.jrunc.core.state.StateStore;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.SysException;
import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.terminal.ConsoleSocket;
import io.jrunc.core.terminal.PidfdSocket;
import io.jrunc.spec.Spec;
import io.jrunc.spec.State;
import io.jrunc.core.security.SecurityPlan;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** exec: a process joins a running container's namespaces and cgroup. */
final class ContainerExec extends ContainerVerb {

  /**
   * What an exec'd process leaves unset comes from the container's process, as runc's init
   * config does: capabilities (none given is not "none": an {@code exec -p} document without
   * them ran with no capabilities at all), rlimits, the AppArmor profile and the SELinux label.
   * The command form starts from the container's process anyway.
   */
  static io.jrunc.spec.Process inheriting(io.jrunc.spec.Process proc, io.jrunc.spec.Process container) {
    if (container == null) return proc;
    if (proc.capabilities() == null) proc = proc.withCapabilities(container.capabilities());
    if (proc.rlimits() == null || proc.rlimits().isEmpty()) proc = proc.withRlimits(container.rlimits());
    if (proc.apparmorProfile() == null || proc.apparmorProfile().isEmpty()) proc = proc.withApparmorProfile(container.apparmorProfile());
    if (proc.selinuxLabel() == null || proc.selinuxLabel().isEmpty()) proc = proc.withSelinuxLabel(container.selinuxLabel());
    return proc;
  }

  ContainerExec(Lifecycle lc) {
    super(lc);
  }

  Lifecycle.Executed exec(String id, io.jrunc.spec.Process proc, ExecRequest opts)
      throws ContainerFailure {
    if (proc == null || proc.args() == null || proc.args().isEmpty()) {
      throw new InvalidConfigFailure("process: args must not be empty");
    }
    // by config.md's rules, as create's process: an embedder's Process, or the one the CLI made
    // of the container's and its options (--env, --user, --cwd, ...), was not validated
    var problems = io.jrunc.spec.validate.Validator.process(proc);
    if (!problems.isEmpty()) throw new InvalidConfigFailure("process", problems);
    List<AutoCloseable> cleanup = new ArrayList<>();
    try (StateStore.Lock lock = lock(load(id).id())) {
      ContainerRecord r = load(id);
      Status s = status(r);
      if (s == Status.STOPPED) throw new InvalidStateFailure("cannot exec in a stopped container", s);
      if (s == Status.PAUSED && !opts.ignorePaused()) {
        throw new InvalidStateFailure("cannot exec in a paused container (use --ignore-paused to override)", s);
      }
      Spec spec;
      try {
        spec = store.readConfig(id);
      } catch (NoSuchFileException e) {
        // gone with the record: the container was removed since it was read (seen once in ~50
        // rounds of ConcurrentVerbsTest; which removal did not wait for this lock was not found);
        // gone beside a record: a damaged state directory
        if (!store.hasRecordFile(id)) throw new NotFoundFailure(id);
        throw new SetupFailure("read the config.json of " + id + ": no such file or directory (ENOENT)", 0, e);
      }
      proc = inheriting(proc, spec.process());
      // the exec'd process gets the container's seccomp filter and its own capabilities and
      // labels. Prepared before the first system call below: in a fresh CLI JVM that call waits
      // for the downcall link made on the other core, so the filter's compile (an engine's
      // profile above all) runs meanwhile, not after it.
      SecurityPlan security = prepareSecurity(spec.withProcess(proc), store.root());
      cleanup.add(security);
      Path procRoot = Path.of("/proc", Integer.toString(r.pid()));
      Map<String, Integer> fds = new LinkedHashMap<>();
      Map<String, String> paths = new LinkedHashMap<>();
      boolean forkPid = openJoins(procRoot, Namespaces.of(spec), fds, paths, cleanup);
      if (!ProcStat.isAlive(r.pid(), r.pidStartTime())) {
        throw new InvalidStateFailure("cannot exec in a stopped container", Status.STOPPED);
      }
      int[] stdio = {-1, -1, -1};
      int[] callerPipes = {-1, -1, -1};
      boolean terminal = Boolean.TRUE.equals(proc.terminal());
      if (!terminal) openStdio(opts.stdio(), stdio, callerPipes, cleanup); // else the terminal is its stdio
      String cwd = proc.cwd() == null ? "/" : proc.cwd();
      long execUid = proc.user() == null || proc.user().uid() == null ? 0 : proc.user().uid();
      proc = proc.withEnv(ProcessEnv.prepare(proc.env(), procRoot.resolve("root"), execUid));
      String exe = ExecutableLookup.find(ContainerTree.of(procRoot.resolve("root")), proc.args().get(0), proc.env(), cwd, List.of());
      // connected before anything runs: a wrong socket fails the exec with no process started
      int pidfdSock = opts.pidfdSocket() == null ? -1 : connectPidfdSocket(opts.pidfdSocket());
      if (pidfdSock >= 0) cleanup.add(() -> Libc.close(pidfdSock));
      int[] console = {execConsole(opts, terminal)};
      if (console[0] >= 0 && opts.consoleFd() < 0) {
        cleanup.add(() -> {
          if (console[0] >= 0) Libc.close(console[0]);
        });
      }
      SpawnChannel ch = new SpawnChannel();
      cleanup.add(ch);
      security.handOffListener(ch.reportWrite()); // NOTIFY: the agent gets this process's listener too
      ProgramBuilder b = new ProgramBuilder();
      cleanup.add(b);
      // the process joins the container's cgroup (or the --cgroup sub-cgroups) before it runs:
      // v2 by CLONE_INTO_CGROUP, v1 by itself (ExecCgroup) or by the first child's pid written
      // while it waits (the second one inherits it)
      ExecCgroup cgroup = ExecCgroup.open(cgroupOf(r), opts.subCgroups(), id, s == Status.PAUSED, r.pid());
      cleanup.add(cgroup);
      int cgroupFd = cgroup.cloneFd();
      ExecPlanner.beforeCgroupJoin(b, proc);
      CgroupSelfJoin.emit(b, cgroup.selfJoinTasks(), "the exec'd process"); // before the prologue's wait
      ExecPlanner.Planned planned = ExecPlanner.plan(b, new ExecPlanner.Inputs(proc, fds, paths, forkPid, ch, stdio,
          opts.preserveFds(), exe, securitySteps(security), console[0],
          spec.linux() == null ? null : spec.linux().personality(),
          spec.linux() == null ? null : spec.linux().memoryPolicy(), true));
      Spawner.Child child;
      try {
        child = Spawner.clone(planned.program(), ch, 0, cgroupFd);
      } catch (SysException e) {
        // the container's cgroup became an inner node (ExecCgroup): where init is, then
        if (e.errno() != Errno.EBUSY || cgroupFd < 0 || !cgroup.intoInitsCgroup()) throw e;
        cgroupFd = cgroup.cloneFd();
        child = Spawner.clone(planned.program(), ch, 0, cgroupFd);
      }
      security.afterClone();
      if (console[0] >= 0 && opts.consoleFd() < 0) {
        Libc.close(console[0]); // the receiver sees EOF if the process dies before sending the master
        console[0] = -1;
      }
      int pid = child.pid();
      try {
        if (cgroupFd < 0) {
          try {
            cgroup.join(child.pid());
          } catch (CgroupException e) {
            Libc.kill(child.pid(), 9);
            reapQuietly(child.pid());
            throw new SetupFailure("join the cgroup of " + id + ": " + e.getMessage(), 0, e);
          }
        }
        ch.release();
        // The process is in the container's cgroup now, or (v1, joining by itself) joins it
        // before anything else it runs: a delete that removes the cgroup first makes that join
        // fail, and exec with it. In a paused container (--ignore-paused) it stays frozen until
        // someone resumes it, and that resume needs this lock: held any longer, exec and resume
        // would wait for each other (runc holds no lock here either).
        lock.close();
        Set<Integer> announcing = announcing(planned.announcingStep(), security);
        int[] current = {pid}; // the pid so far, for the failure paths (a fork may announce another)
        try {
          Launch.drive(planned.program(), ch, child.pid(), announcing, security.listenerStep(),
              new Launch.Events<RuntimeException>() {
                @Override
                public void listener(int p, long childFd) throws SysException {
                  // the process loaded its filter and waits until the agent has the listener (runc's
                  // setns process sends one per exec, with the container's state)
                  security.forwardListener(p, childFd, new State(ociVersion(spec), r.id(), s.text(), r.pid(),
                      r.bundle(), r.annotations(), null, null, null), p);
                }

                @Override
                public void forked(int p) {
                  current[0] = p;
                }
              });
        } finally {
          pid = current[0];
        }
      } catch (StepFailedException x) {
        if (pid != child.pid()) reapQuietly(pid);
        // a pid namespace whose init has exited takes no new process (the kernel's alloc_pid
        // says ENOMEM): the container stopped while exec joined it, a state error as the one
        // exec gives a container it finds stopped, not an out-of-memory
        if (x.step() == planned.announcingStep() && x.errno() == Errno.ENOMEM) {
          throw new InvalidStateFailure("cannot exec in a stopped container: its init exited while exec joined it ("
              + x.getMessage() + ")", Status.STOPPED);
        }
        throw Failures.translate(x);
      } catch (SysException x) {
        // it waits for us (the listener hand-off) or is about to exec: it must not run
        Libc.kill(pid, 9);
        reapQuietly(pid);
        throw Failures.translate(x);
      }
      // The caller learns of the process through these two: when either fails, the exec fails
      // and the process must not run on in the container unknown to anyone (runc ends it too)
      try {
        if (pidfdSock >= 0) sendExecPidfd(pidfdSock, opts.pidfdSocket(), pid);
        if (opts.pidFile() != null) writePidFile(opts.pidFile(), pid);
      } catch (ContainerFailure | IOException | RuntimeException e) {
        Libc.kill(pid, 9);
        reapQuietly(pid);
        throw e;
      }
      for (AutoCloseable c : cleanup) closeQuietly(c);
      return new Lifecycle.Executed(pid, callerPipes);
    } catch (IOException e) {
      for (AutoCloseable c : cleanup) closeQuietly(c);
      throw new SetupFailure("exec in " + id + ": " + e.getMessage(), e instanceof SysException se ? se.errno() : 0, e);
    } catch (ContainerFailure | RuntimeException e) {
      for (AutoCloseable c : cleanup) closeQuietly(c);
      throw e;
    }
  }

  /**
   * The console socket of an exec: the caller's connected fd, a fresh connection to the path,
   * or -1 without a terminal. A console socket without a terminal, or a terminal without one,
   * is refused (runc's checkTerminal; its CLI sentences are checked before this).
   */
  private static int execConsole(ExecRequest opts, boolean terminal) throws ContainerFailure {
    boolean given = opts.consoleSocket() != null || opts.consoleFd() >= 0;
    if (!terminal) {
      if (given) throw new InvalidConfigFailure("process: a console socket was given but process.terminal is not true");
      return -1;
    }
    if (!given) throw new InvalidConfigFailure("process: terminal is true but no console socket was given");
    if (opts.consoleFd() >= 0) return opts.consoleFd();
    try {
      return ConsoleSocket.connect(opts.consoleSocket());
    } catch (SysException x) {
      throw Failures.translate(x);
    }
  }

  private static int connectPidfdSocket(Path socket) throws ContainerFailure {
    try {
      return io.jrunc.core.sys.UnixSockets.connect(socket.toString());
    } catch (SysException x) {
      throw new SetupFailure(new SysException("connect to the pidfd socket", socket.toString(), x.errno()).getMessage(),
          x.errno(), x);
    }
  }

  /**
   * {@code --pidfd-socket} of an exec ({@link PidfdSocket}'s protocol, payload "setns"): a
   * pidfd of the exec'd process, our unreaped child, so the pid cannot have been recycled. If
   * it cannot be sent, the exec fails and its caller here kills the process (whoever asked to
   * supervise it through the pidfd could not).
   */
  private static void sendExecPidfd(int sock, Path socket, int pid) throws ContainerFailure {
    int pidfd = Libc.pidfdOpen(pid);
    try {
      if (pidfd < 0) throw new SysException("pidfd_open", Integer.toString(pid), -pidfd);
      try {
        io.jrunc.core.sys.UnixSockets.sendFd(sock, pidfd,
            PidfdSocket.Kind.EXEC.payload().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      } catch (SysException x) {
        throw new SysException("send the pidfd to", socket.toString(), x.errno());
      }
    } catch (SysException x) {
      throw Failures.translate(x); // the caller ends the process
    } finally {
      if (pidfd >= 0) Libc.close(pidfd);
    }
  }
}
