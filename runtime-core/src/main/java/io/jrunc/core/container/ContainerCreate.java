package io.jrunc.core.container;

import static io.jrunc.core.container.LaunchSupport.*;
import static io.jrunc.core.container.ContainerCgroups.*;
import static io.jrunc.core.container.InitSignals.*;

import io.jrunc.core.api.ContainerException;
import io.jrunc.core.api.ContainerExistsException;
import io.jrunc.core.api.ContainerStatus;
import io.jrunc.core.api.CreateOptions;
import io.jrunc.core.api.InvalidConfigException;
import io.jrunc.core.api.SetupException;
import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.spawn.Spawner;
import io.jrunc.core.spawn.StepFailedException;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.ProcStat;
import io.jrunc.core.state.StateStore;
import io.jrunc.core.sys.Clone;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.Stat;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.sys.SysException;
import io.jrunc.core.cgroup.CgroupConfig;
import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.cgroup.CgroupManager;
import io.jrunc.core.cgroup.Cgroups;
import io.jrunc.core.cgroup.DeviceRule;
import io.jrunc.core.hooks.HookRunner;
import io.jrunc.core.rootfs.RootfsConfigException;
import io.jrunc.core.rootfs.RootfsContext;
import io.jrunc.core.rootfs.RootfsSetup;
import io.jrunc.core.sys.CgroupIo;
import io.jrunc.core.terminal.ConsoleSocket;
import io.jrunc.core.terminal.ListenFds;
import io.jrunc.core.terminal.NotifySocket;
import io.jrunc.core.terminal.PidfdSocket;
import io.jrunc.core.terminal.TerminalSetup;
import io.jrunc.spec.Hooks;
import io.jrunc.spec.Json;
import io.jrunc.spec.Mount;
import io.jrunc.spec.Spec;
import io.jrunc.spec.State;
import io.jrunc.core.security.IdMapper;
import io.jrunc.core.security.SecurityPlan;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** create: config checks, the state directory, the cgroup, the exec fifo, init cloned and set up until it waits for start. */
final class ContainerCreate {
  private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class); // same logger name as before the split

  private final Lifecycle lc;
  private final StateStore store;

  ContainerCreate(Lifecycle lc) {
    this.lc = lc;
    this.store = lc.store();
  }

  private ContainerRecord load(String id) throws ContainerException {
    return lc.load(id);
  }

  private ContainerStatus status(ContainerRecord r) {
    return lc.status(r);
  }

  Lifecycle.Created create(String id, CreateOptions opts) throws ContainerException {
    try {
      StateStore.checkId(id);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(e.getMessage());
    }
    // config.json is read before the id is claimed: a bad one (a FIFO, a device, too big)
    // fails here with nothing made, and a read cannot be interrupted half-way with a state
    // directory left behind
    Spec loaded = SpecLoader.loadSpec(opts.bundle().toAbsolutePath().normalize(), opts.systemdCgroup());
    boolean claimed;
    try {
      claimed = store.claim(id);
    } catch (IOException e) {
      throw new SetupException("create state directory " + store.dir(id) + ": " + e.getMessage(), 0, e);
    }
    if (!claimed) throw new ContainerExistsException(id);
    List<AutoCloseable> cleanup = new ArrayList<>();
    int[] childPid = {-1};
    try (StateStore.Lock lock = store.lock(id)) {
      return doCreate(id, opts, loaded, cleanup, childPid);
    } catch (ContainerException | IOException | RuntimeException e) {
      ContainerException err = e instanceof ContainerException ce ? ce
          : new SetupException(e.getMessage() == null ? e.toString() : e.getMessage(), 0, e);
      undoCreate(id, childPid[0], cleanup, err);
      throw err;
    } catch (Error e) {
      // even a broken classpath or OOM must not leave a half-made container behind
      undoCreate(id, childPid[0], cleanup, new SetupException(e.toString(), 0, e));
      throw e;
    }
  }

  private Lifecycle.Created doCreate(String id, CreateOptions opts, Spec loaded, List<AutoCloseable> cleanup, int[] childPid)
      throws ContainerException, IOException {
    Path bundle = opts.bundle().toAbsolutePath().normalize();
    Spec spec = loaded;
    Path given = bundle.resolve(spec.root().path()).normalize();
    if (!Files.isDirectory(given)) {
      throw new InvalidConfigException("config.json: /root/path: rootfs " + given + " is not a directory");
    }
    // A rootfs reached through a symlink is used where it really is (as crun's realpath):
    // mounting onto a symlink fails, and runc only refuses it.
    final Path rootfs = given.toRealPath();
    if (!rootfs.equals(given)) spec = spec.withRoot(new io.jrunc.spec.Root(rootfs.toString(), spec.root().readonly()));
    try {
      RootfsSetup.validate(spec);
    } catch (RootfsConfigException e) {
      throw new InvalidConfigException("config.json: " + e.getMessage());
    }
    ProcessAttributes.checkSupported(spec.linux());
    boolean terminal = Boolean.TRUE.equals(spec.process().terminal());
    // runc's flag rules concern --console-socket; a console fd is the caller's own relay
    // (foreground run -t), which needs a terminal and nothing else
    String ttyProblem = opts.consoleFd() >= 0
        ? (terminal ? null : "a console fd was given but process.terminal is not true")
        : ConsoleSocket.checkFlags(terminal, opts.detach(), opts.consoleSocket() != null);
    if (ttyProblem == null && terminal && opts.consoleFd() < 0 && opts.consoleSocket() == null) {
      ttyProblem = "process.terminal is true but no console socket was given";
    }
    if (ttyProblem != null) throw new InvalidConfigException(ttyProblem);

    // sd_notify passthrough: the container gets a socket of ours at /run/notify (start forwards READY)
    String notifyHost = NotifySocket.hostSocket(System.getenv());
    if (notifyHost != null) {
      NotifySocket.Prepared np = NotifySocket.prepare(store.dir(id));
      List<Mount> mounts = new ArrayList<>(spec.mounts() == null ? List.of() : spec.mounts());
      mounts.add(np.mount());
      List<String> env = new ArrayList<>(spec.process().env() == null ? List.of() : spec.process().env());
      env.removeIf(e -> e.startsWith("NOTIFY_SOCKET="));
      env.add(np.envEntry());
      spec = spec.withMounts(mounts).withProcess(spec.process().withEnv(env));
    }
    // socket activation: LISTEN_FDS passed on with LISTEN_PID=1, and those fds preserved
    ListenFds.Result listen = ListenFds.compute(opts.preserveFds());
    if (listen.listenFds() > 0) {
      List<String> env = new ArrayList<>(spec.process().env() == null ? List.of() : spec.process().env());
      env.removeIf(e -> e.startsWith("LISTEN_FDS=") || e.startsWith("LISTEN_PID="));
      env.addAll(listen.env());
      spec = spec.withProcess(spec.process().withEnv(env));
    }
    long uid = spec.process().user() == null || spec.process().user().uid() == null ? 0 : spec.process().user().uid();
    spec = spec.withProcess(spec.process().withEnv(ProcessEnv.prepare(spec.process().env(), rootfs, uid)));
    final Spec fspec = spec;

    Namespaces ns = Namespaces.of(spec);
    ParentSetup.checkNetDevices(spec.linux(), ns);
    Map<String, Integer> joinFds = new LinkedHashMap<>();
    for (var e : ns.joins().entrySet()) {
      try {
        // O_NONBLOCK: a path that is a FIFO must not hang create (setns then refuses it)
        int fd = Libc.open(e.getValue(), Open.O_RDONLY | Open.O_NONBLOCK | Open.O_NOCTTY | Open.O_CLOEXEC, 0);
        joinFds.put(e.getKey(), fd);
        cleanup.add(() -> Libc.close(fd));
      } catch (SysException x) {
        throw new SetupException("open the " + e.getKey() + " namespace: " + x.getMessage(), x.errno(), x);
      }
    }
    SecurityPlan security = prepareSecurity(spec);
    cleanup.add(security);
    List<String> dests = new ArrayList<>();
    if (spec.mounts() != null) for (Mount m : spec.mounts()) dests.add(m.destination());
    String cwd = spec.process().cwd() == null ? "/" : spec.process().cwd();
    String exe = ExecutableLookup.find(rootfs, spec.process().args().get(0), spec.process().env(), cwd, dests);

    // The cgroup: recorded before it is made, so that delete --force can remove it even if
    // this process is killed half-way (the record's pid 0 means "creating").
    boolean rootless = lc.rootless(opts.systemdCgroup());
    CgroupManager cgroup;
    try {
      var linux = spec.linux();
      cgroup = Cgroups.create(new CgroupConfig(id, linux == null ? null : linux.cgroupsPath(),
          DeviceRule.withRuncDevices(linux == null ? null : linux.resources()),
          opts.systemdCgroup(), rootless));
    } catch (CgroupException e) {
      throw new InvalidConfigException("config.json: " + e.getMessage());
    }
    boolean planOnly = Boolean.getBoolean(Lifecycle.PLAN_ONLY_PROPERTY);
    if (!planOnly) checkExistingCgroup(cgroup);
    ContainerRecord pending = record(id, bundle, rootfs, 0, 0, spec, cgroup.state(), opts.systemdCgroup(), rootless, ns);
    Files.write(store.dir(id).resolve("config.json"), Json.writeBytes(spec));
    store.writeRecord(pending);
    try {
      if (!planOnly) cgroup.create();
    } catch (CgroupException e) {
      throw new SetupException(e.getMessage(), 0, e);
    }
    cleanup.add(() -> {}); // placeholder keeps ordering obvious: the cgroup is destroyed by undoCreate
    int cgroupFd = -1;
    if (!planOnly && cgroup.cloneIntoCgroupPath().isPresent()) {
      try {
        int fd = CgroupIo.openDirectory(cgroup.cloneIntoCgroupPath().get().toString());
        cgroupFd = fd;
        cleanup.add(() -> Libc.close(fd));
      } catch (SysException e) {
        throw new SetupException(e.getMessage(), e.errno(), e);
      }
    }

    // The exec fifo: init blocks reading it until start writes. We open it O_RDWR so that
    // opening never blocks; start opens it O_WRONLY|O_NONBLOCK, which fails with ENXIO when
    // no reader is left (init died), so start cannot hang on a dead init.
    Path fifo = store.dir(id).resolve(Lifecycle.FIFO);
    int fifoFd;
    try {
      try (Arena a = Arena.ofConfined()) {
        MemorySegment p = a.allocateFrom(fifo.toString());
        Libc.syscall("mkfifo", fifo.toString(), Sys.MKNODAT, Open.AT_FDCWD, p.address(), Stat.S_IFIFO | 0622, 0);
      }
      fifoFd = Libc.open(fifo.toString(), Open.O_RDWR | Open.O_CLOEXEC, 0);
      cleanup.add(() -> Libc.close(fifoFd));
    } catch (SysException x) {
      throw new SetupException(x.getMessage(), x.errno(), x);
    }
    int[] stdio = {-1, -1, -1};
    int[] callerPipes = {-1, -1, -1};
    if (!terminal) openStdio(opts.stdio(), stdio, callerPipes, cleanup);
    int consoleFd = -1;
    if (terminal) {
      try {
        consoleFd = opts.consoleFd() >= 0 ? opts.consoleFd() : ConsoleSocket.connect(opts.consoleSocket());
      } catch (SysException x) {
        throw new SetupException(x.getMessage(), x.errno(), x); // names the socket and the errno already
      }
      if (opts.consoleFd() < 0) {
        int cfd = consoleFd;
        cleanup.add(() -> Libc.close(cfd));
      }
    }
    final int console = consoleFd;

    SpawnChannel ch;
    try {
      ch = new SpawnChannel();
      security.handOffListener(ch.reportWrite()); // NOTIFY: the agent gets init's listener
    } catch (SysException x) {
      throw new SetupException(x.getMessage(), x.errno(), x);
    }
    cleanup.add(ch);
    RootfsSetup rootfsSetup = null;
    if (ns.has("mount")) {
      try {
        rootfsSetup = RootfsSetup.plan(RootfsContext.of(spec, bundle).withNoPivot(opts.noPivot())
            .withNewUserNs(ns.creates("user")).withCgroupDirs(cgroupDirs(cgroup)));
      } catch (RootfsConfigException e) {
        throw new InvalidConfigException("config.json: " + e.getMessage());
      }
      cleanup.add(rootfsSetup);
    }
    final RootfsSetup rfs = rootfsSetup;
    ProgramBuilder b = new ProgramBuilder();
    cleanup.add(b);
    InitPlanner.ChildSteps extra = securitySteps(security, (pb, beforePivot) -> {
      java.util.function.Consumer<ProgramBuilder> tty = p -> {
        InitPlanner.createCwd(p, fspec.process());
        if (!terminal) return;
        TerminalSetup.emit(p, console, fspec.process().consoleSize());
        if (rfs != null) TerminalSetup.emitDevConsole(p);
        if (uid != 0) TerminalSetup.emitOwner(p, uid);
      };
      if (rfs != null) {
        rfs.emitPrepare(pb);
        beforePivot.accept(pb);
        rfs.emitPivot(pb, tty); // cwd and /dev/console before a read-only / or /dev
      } else {
        // no mount namespace: runc only chroots (nothing may be mounted in the host's namespace)
        beforePivot.accept(pb);
        pb.call(Sys.CHROOT, rootfs.toString()).describe("chroot to " + rootfs);
        pb.call(Sys.CHDIR, "/").describe("chdir to /");
        tty.accept(pb);
      }
    });
    Hooks hooks = spec.hooks();
    boolean hookPause = hooks != null && (notEmpty(hooks.prestart()) || notEmpty(hooks.createRuntime())
        || notEmpty(hooks.createContainer()));
    IdMapper.Host idHost = IdMapper.Host.detect();
    boolean setgroups = !ns.creates("user") || !IdMapper.setgroupsDenied(spec.linux().gidMappings(), idHost);
    InitPlanner.Planned planned = InitPlanner.plan(b, new InitPlanner.Inputs(id, spec, rootfs, ns, joinFds, ch, fifoFd,
        stdio, listen.preserveFds(), opts.noPivot(), opts.noNewKeyring(), exe, hookPause, setgroups, extra));
    ChildProgram program = planned.program();
    Set<Integer> announcing = announcing(planned.announcingStep(), security);

    if (planOnly) {
      Spawner.prepare();
      // nothing was made but the state directory and its record: undoCreate removes them
      throw new SetupException("planned only (AOT training)", 0, null);
    }
    Spawner.Child child;
    long flags = (ns.cloneFlags() & ~Clone.CLONE_NEWCGROUP) | (opts.pidfdSocket() != null ? Clone.CLONE_PIDFD : 0);
    try {
      child = Spawner.clone(program, ch, flags, cgroupFd);
    } catch (SysException x) {
      throw new SetupException("start the container's init: " + x.getMessage(), x.errno(), x);
    }
    childPid[0] = child.pid();
    if (child.pidfd() >= 0) cleanup.add(() -> Libc.close(child.pidfd()));
    security.afterClone();
    if (rfs != null) rfs.close(); // the child has its copies of the id-mapped mount fds
    if (console >= 0 && opts.consoleFd() < 0) Libc.close(console); // EOF reaches the receiver if the child dies
    if (ns.creates("user")) {
      try {
        IdMapper.apply(child.pid(), spec.linux().uidMappings(), spec.linux().gidMappings(), idHost);
      } catch (SysException x) {
        throw new SetupException(x.getMessage(), x.errno(), x);
      }
    }
    if (cgroupFd < 0) {
      try {
        cgroup.addProcess(child.pid());
      } catch (CgroupException e) {
        throw new SetupException(e.getMessage(), 0, e);
      }
    }
    ParentSetup.oomScoreAdj(child.pid(), spec.process().oomScoreAdj());
    // the child waits for our release: its network namespace exists (cloned, or joined by
    // the fd we hold), nothing of the container runs yet, and the hooks come after this
    ParentSetup.loopback(child.pid(), ns);
    ParentSetup.netDevices(child.pid(), spec.linux(), joinFds.get("network"));
    // init is the cloned child, or, when a pid namespace is joined, the child's own child
    // (CLONE_PARENT makes it ours too), which the first one announces before it exits
    int init = child.pid();
    int[] current = {init}; // the pid so far, for the failure path (a fork may announce another)
    try {
      ch.release();
      Launch.Outcome out = Launch.drive(program, ch, init, announcing, security.listenerStep(),
          new Launch.Events<ContainerException>() {
            @Override
            public void hooks(int pid) throws ContainerException {
              State st = new State(ociVersion(fspec), id, "creating", pid, bundle.toString(), fspec.annotations(),
                  null, null, null);
              try {
                // prestart (deprecated) and createRuntime run in the runtime's namespaces,
                // createContainer in the container's, all after the mounts and before pivot_root
                HookRunner.runAll("prestart", hooks.prestart(), st, HookLauncher.inRuntime(bundle));
                HookRunner.runAll("createRuntime", hooks.createRuntime(), st, HookLauncher.inRuntime(bundle));
                HookRunner.runAll("createContainer", hooks.createContainer(), st,
                    HookLauncher.createContainer(pid, fspec, rootfs));
              } catch (HookRunner.HookException he) {
                throw new SetupException(he.getMessage(), 0, he);
              }
            }

            @Override
            public void listener(int pid, long childFd) throws SysException {
              // init loaded its filter and waits until the agent has the listener
              security.forwardListener(pid, childFd, new State(ociVersion(fspec), id, "creating", pid,
                  bundle.toString(), fspec.annotations(), null, null, null), pid);
            }

            @Override
            public void forked(int pid) {
              current[0] = pid;
              childPid[0] = pid;
            }
          });
      init = out.pid();
      Spawner.Report r = out.last();
      if (!r.ready()) {
        int[] st = Libc.wait4(init, 0);
        childPid[0] = -1;
        throw new SetupException("the container's init exited during setup (" + describeWait(st[1]) + ")", 0, null);
      }
      if (opts.pidfdSocket() != null) {
        if (init == child.pid()) {
          PidfdSocket.send(opts.pidfdSocket(), child.pidfd(), PidfdSocket.Kind.INIT);
        } else {
          int pidfd = Libc.pidfdOpen(init);
          if (pidfd < 0) throw new SysException("pidfd_open", "pid " + init, -pidfd);
          try {
            PidfdSocket.send(opts.pidfdSocket(), pidfd, PidfdSocket.Kind.INIT);
          } finally {
            Libc.close(pidfd);
          }
        }
      }
    } catch (StepFailedException x) {
      if (current[0] != child.pid()) reapQuietly(current[0]);
      childPid[0] = -1; // reaped
      throw new SetupException(x.getMessage(), x.errno(), x);
    } catch (SysException x) {
      throw new SetupException(x.getMessage(), x.errno(), x);
    }
    long startTime = ProcStat.startTime(init);
    ContainerRecord rec = record(id, bundle, rootfs, init, startTime, spec, cgroup.state(),
        opts.systemdCgroup(), rootless, ns);
    store.writeRecord(rec);
    if (opts.pidFile() != null) writePidFile(opts.pidFile(), init);
    // our copies of the fds the child inherited are no longer needed; the caller's pipe ends stay
    for (AutoCloseable c : cleanup) closeQuietly(c);
    return new Lifecycle.Created(rec, callerPipes);
  }

  private static ContainerRecord record(String id, Path bundle, Path rootfs, int pid, long startTime, Spec spec,
      Map<String, String> cgroup, boolean systemd, boolean rootless, Namespaces ns) {
    return new ContainerRecord(id, bundle.toString(), rootfs.toString(), pid, startTime,
        DateTimeFormatter.ISO_INSTANT.format(Instant.now().atOffset(ZoneOffset.UTC)), ownerName(),
        spec.annotations(), spec.ociVersion(), cgroup, systemd, rootless, ns.creates("pid"));
  }

  private static boolean notEmpty(List<?> l) {
    return l != null && !l.isEmpty();
  }

  /**
   * runc's checks of a cgroup that exists before create, made before anything is recorded (a
   * refusal must leave that cgroup as it found it): frozen, init would freeze before it ran;
   * not empty, the container shares it (a warning).
   */
  private static void checkExistingCgroup(CgroupManager cgroup) throws SetupException {
    boolean frozen;
    try {
      frozen = cgroup.isFrozen();
    } catch (CgroupException | RuntimeException e) {
      return; // not there yet: nothing to check
    }
    if (frozen) throw new SetupException("container's cgroup unexpectedly frozen", 0, null);
    try {
      int others = cgroup.pids().size();
      if (others > 0) LOG.warn("container's cgroup is not empty: {} process(es) found", others);
    } catch (CgroupException | RuntimeException e) {
      // not there, or raced with its removal: nothing to warn about
    }
  }

  private void undoCreate(String id, int pid, List<AutoCloseable> cleanup, ContainerException err) {
    ContainerRecord pending = null;
    try {
      pending = store.readRecord(id);
    } catch (IOException | RuntimeException ignored) {
      // no record yet: nothing but the directory was made
    }
    if (pid > 0) {
      Libc.kill(pid, 9);
      try {
        Libc.wait4(pid, 0);
      } catch (SysException ignored) {
        // not ours to reap or already gone
      }
    }
    for (AutoCloseable c : cleanup) closeQuietly(c);
    if (pending != null) {
      try {
        destroyCgroup(pending);
      } catch (ContainerException e) {
        err.addSuppressed(e);
      }
    }
    try {
      store.remove(id);
    } catch (IOException e) {
      err.addSuppressed(e);
    }
  }

  private static String ownerName() {
    try {
      return Files.getOwner(Path.of("/proc/self")).getName();
    } catch (IOException | UnsupportedOperationException e) {
      return "";
    }
  }
}
