package io.jrunc.core.container;

import static io.jrunc.core.process.LaunchSupport.announcing;
import static io.jrunc.core.process.LaunchSupport.describeWait;
import static io.jrunc.core.process.LaunchSupport.ociVersion;
import static io.jrunc.core.process.LaunchSupport.reapQuietly;
import static io.jrunc.core.process.LaunchSupport.securitySteps;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.Failures;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.hooks.HookRunner;
import io.jrunc.core.process.HookLauncher;
import io.jrunc.core.process.InitPlanner;
import io.jrunc.core.process.Launch;
import io.jrunc.core.process.ParentSetup;
import io.jrunc.core.process.ProcessEnv;
import io.jrunc.core.rootfs.RootfsSetup;
import io.jrunc.core.security.IdMapper;
import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.spawn.Spawner;
import io.jrunc.core.spawn.StepFailedException;
import io.jrunc.core.sys.Clone;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.sys.SysException;
import io.jrunc.core.terminal.PidfdSocket;
import io.jrunc.core.terminal.TerminalSetup;
import io.jrunc.spec.Hooks;
import io.jrunc.spec.Spec;
import io.jrunc.spec.State;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * create's fourth stage, spawn: the init program compiled from the plan and the acquired fds,
 * the clone, what the parent does while init waits (id maps, cgroup, oom_score_adj, network),
 * the create-phase hooks, and the wait for init's READY.
 */
final class InitSpawn {
  private InitSpawn() {}

  /** The descriptors the init program names: acquired ones, or stand-ins for a plan-only compile. */
  record Fds(Map<String, Integer> joins, SpawnChannel channel, int fifo, int[] stdio, int console, RootfsSetup rootfs) {}

  /**
   * The planned spec with HOME from the container's /etc/passwd when its env has none (an openat2
   * inside the rootfs, or inside the bind that covers it), for init's exec and the createContainer hooks. Looked up by the
   * {@link CreateHelper} (offered while planning, see CreatePlanner; in a CLI create the link
   * thread, once linked): the main thread's planning never waits for the link, nor the compile
   * for the lookup.
   * The saved config.json is the planned one; exec looks HOME up in the running container.
   */
  private static Spec withHome(CreatePlan plan) throws ContainerFailure {
    Spec planned = plan.spec();
    java.util.List<String> env = CreateHelper.take(plan.homeEnv());
    RootfsSetup rfs = plan.rootfsSetup();
    if (rfs != null && rfs.covers(plan.homePaths())) {
      // looked up in the image; a mount or masked path covers its /etc/passwd: as the container sees it
      env = ProcessEnv.withHome(planned.process().env(), rfs.tree(), plan.uid());
    }
    return planned.withProcess(planned.process().withEnv(env));
  }

  /** The init program of {@code plan} over {@code fds}; {@code b} owns its memory. */
  static InitPlanner.Planned compile(CreatePlan plan, ProgramBuilder b, Fds fds) throws ContainerFailure {
    Spec spec = withHome(plan);
    Path rootfs = plan.rootfs();
    RootfsSetup rfs = fds.rootfs();
    InitPlanner.ChildSteps extra = securitySteps(plan.security(), (pb, beforePivot) -> {
      Consumer<ProgramBuilder> terminal = p -> {
        if (!plan.terminal()) return;
        TerminalSetup.emit(p, fds.console(), spec.process().consoleSize());
        if (rfs != null) TerminalSetup.emitDevConsole(p);
        if (plan.uid() != 0) TerminalSetup.emitOwner(p, plan.uid());
      };
      if (rfs != null) {
        rfs.emitPrepare(pb);
        beforePivot.accept(pb);
        // cwd and /dev/console before a read-only / or /dev
        rfs.emitPivot(pb, p -> {
          InitPlanner.createCwd(p, spec.process());
          terminal.accept(p);
        });
      } else {
        // No mount namespace: jrunc mounts nothing in the host's namespace and only chroots
        // (runc mounts the config's mounts into the rootfs there and leaves them behind). The
        // image then has no devpts of its own: the pty comes from the runtime's /dev/pts,
        // opened before the chroot (runc's bats "host mount ns" with its default terminal).
        beforePivot.accept(pb);
        terminal.accept(pb);
        pb.call(Sys.CHROOT, rootfs.toString()).describe("chroot to ", rootfs);
        pb.call(Sys.CHDIR, "/").describe("chdir to /");
        InitPlanner.createCwd(pb, spec.process());
      }
    });
    var o = plan.options();
    return InitPlanner.plan(b, new InitPlanner.Inputs(plan.id(), spec, rootfs, plan.namespaces(), fds.joins(),
        fds.channel(), fds.fifo(), fds.stdio(), plan.listen().preserveFds(), o.noPivot(), o.noNewKeyring(),
        plan.executable(), plan.hookPause(), plan.setgroups(), extra));
  }

  /**
   * The init program over the descriptors {@code res} acquired so far (rows 1-4 of
   * {@link CreateResources}'s table): touches nothing but {@code b}, so it may run on another
   * thread while the cgroup is made.
   */
  static InitPlanner.Planned compile(CreatePlan plan, CreateResources res, ProgramBuilder b) throws ContainerFailure {
    if (res.selfJoin != null) CgroupSelfJoin.emit(b, res.selfJoin.tasks(), "the container's init"); // first: before the prologue's wait
    return compile(plan, b, new Fds(res.joinFds, res.channel, res.fifoFd, res.stdio, res.console, res.rootfs));
  }

  /**
   * Clones init from {@code planned} and drives it to READY; returns
   * its pid. On a failure the child that still needs reaping is left in {@code res.childPid} for
   * {@link CreateResources#undo}.
   */
  static int spawn(CreatePlan plan, CreateResources res, InitPlanner.Planned planned)
      throws ContainerFailure, IOException, StepFailedException {
    SpawnChannel ch = res.channel;
    ChildProgram program = planned.program();
    var security = plan.security();
    var opts = plan.options();
    Spawner.Child child;
    long flags = plan.namespaces().atClone() | (opts.pidfdSocket() != null ? Clone.CLONE_PIDFD : 0);
    try {
      child = Spawner.clone(program, ch, flags, res.cgroupFd);
    } catch (SysException x) {
      throw new SetupFailure("start the container's init: " + x.getMessage(), x.errno(), x);
    }
    res.childPid = child.pid();
    if (child.pidfd() >= 0) res.own(child.pidfd());
    security.afterClone();
    if (res.rootfs != null) res.rootfs.close(); // the child has its copies of the id-mapped mount fds
    res.closeConsole(); // EOF reaches the receiver if the child dies
    if (res.cgroupFd < 0 && res.selfJoin == null) plan.cgroup().addProcess(child.pid());
    ParentSetup.oomScoreAdj(child.pid(), plan.spec().process().oomScoreAdj());
    if (!plan.namespaces().creates("user")) intoNamespaces(plan, res, child.pid());
    return drive(plan, res, program, child, planned.announcingStep());
  }

  /**
   * What the parent does once init's namespaces exist and before it goes on: right after the clone,
   * or, in a new user namespace, which init unshares itself, at its report of it. The maps; the
   * network devices into the network namespace (cloned, or joined by the fd we hold): nothing of
   * the container runs yet, and the hooks come after this (lo is brought up by init itself,
   * ProcessSteps.loopbackUp).
   */
  private static void intoNamespaces(CreatePlan plan, CreateResources res, int pid) throws SysException {
    var linux = plan.spec().linux();
    if (plan.namespaces().creates("user")) IdMapper.apply(pid, linux.uidMappings(), linux.gidMappings(), plan.idHost());
    ParentSetup.netDevices(pid, linux, res.joinFds.get("network"));
  }

  /**
   * Releases the child and reads its reports until READY. init is the cloned child, or, when a
   * pid namespace is joined, the child's own child (CLONE_PARENT makes it ours too), which the
   * first one announces before it exits.
   */
  private static int drive(CreatePlan plan, CreateResources res, ChildProgram program, Spawner.Child child,
      int announcingStep) throws ContainerFailure, SysException, StepFailedException {
    SpawnChannel ch = res.channel;
    var security = plan.security();
    int[] current = {child.pid()}; // the pid so far, for the failure path (a fork may announce another)
    int init;
    try {
      try {
        // a new user namespace's init waits first for its maps (Events.userNamespace)
        if (!plan.namespaces().creates("user")) ch.release();
      } catch (SysException x) {
        // EPIPE: init is gone before its release (a step before it failed, or it was killed).
        // Not the error to report: its failure report, or EOF and its wait status, read next,
        // say which step and why, or how it ended.
        if (x.errno() != Errno.EPIPE) throw x;
      }
      Launch.Outcome out = Launch.drive(program, ch, child.pid(), announcing(announcingStep, security),
          security.listenerStep(), new Launch.Events<ContainerFailure>() {
            @Override
            public void userNamespace(int pid) throws SysException {
              intoNamespaces(plan, res, pid);
            }

            @Override
            public void hooks(int pid) throws ContainerFailure {
              runCreateHooks(plan, pid);
            }

            @Override
            public void listener(int pid, long childFd) throws SysException {
              // init loaded its filter and waits until the agent has the listener
              security.forwardListener(pid, childFd, state(plan, pid), pid);
            }

            @Override
            public void forked(int pid) {
              current[0] = pid;
              res.childPid = pid;
            }
          });
      init = out.pid();
      if (!out.last().ready()) {
        int[] st = Libc.wait4(init, 0);
        res.childPid = -1;
        throw new SetupFailure("the container's init exited during setup (" + describeWait(st[1]) + ")" + oomHint(plan), 0, null);
      }
    } catch (StepFailedException x) {
      if (current[0] != child.pid()) reapQuietly(current[0]);
      res.childPid = -1; // reaped
      throw x;
    }
    if (plan.options().pidfdSocket() != null) sendPidfd(plan, child, init);
    return init;
  }

  /**
   * Why init may have died in its setup, when the kernel says: the OOM killer ended a process in
   * the container's cgroup, whose memory limit is then too small even for the setup (runc, which
   * joins its init first, fails to set such a limit: "unable to set memory limit"). Else "".
   */
  private static String oomHint(CreatePlan plan) {
    try {
      if (plan.cgroup().oomKillCount() <= 0) return "";
    } catch (RuntimeException | io.jrunc.core.cgroup.CgroupException e) {
      return "";
    }
    var r = plan.spec().linux() == null ? null : plan.spec().linux().resources();
    Long limit = r == null || r.memory() == null ? null : r.memory().limit();
    return ": the OOM killer killed it in the container's cgroup"
        + (limit == null ? "" : " (linux.resources.memory.limit " + limit + " bytes is too small)");
  }

  /**
   * prestart (deprecated) and createRuntime run in the runtime's namespaces, createContainer in
   * the container's, all after the mounts and before pivot_root.
   */
  private static void runCreateHooks(CreatePlan plan, int pid) throws ContainerFailure {
    Hooks hooks = plan.spec().hooks();
    State st = state(plan, pid);
    try {
      HookRunner.runAll("prestart", hooks.prestart(), st, HookLauncher.inRuntime(plan.bundle()));
      HookRunner.runAll("createRuntime", hooks.createRuntime(), st, HookLauncher.inRuntime(plan.bundle()));
      HookRunner.runAll("createContainer", hooks.createContainer(), st,
          HookLauncher.createContainer(pid, withHome(plan), plan.rootfs()));
    } catch (HookRunner.HookException he) {
      throw Failures.translate(he); // Launch.Events carries one exception type: translated here
    }
  }

  private static State state(CreatePlan plan, int pid) {
    Spec spec = plan.spec();
    return new State(ociVersion(spec), plan.id(), "creating", pid, plan.bundle().toString(), spec.annotations(),
        null, null, null);
  }

  private static void sendPidfd(CreatePlan plan, Spawner.Child child, int init) throws SysException {
    Path socket = plan.options().pidfdSocket();
    if (init == child.pid()) {
      PidfdSocket.send(socket, child.pidfd(), PidfdSocket.Kind.INIT);
      return;
    }
    int pidfd = Libc.pidfdOpen(init);
    if (pidfd < 0) throw new SysException("pidfd_open", "pid " + init, -pidfd);
    try {
      PidfdSocket.send(socket, pidfd, PidfdSocket.Kind.INIT);
    } finally {
      Libc.close(pidfd);
    }
  }
}
