package io.jrunc.core.container;

import io.jrunc.core.api.ContainerException;
import io.jrunc.core.api.ContainerExistsException;
import io.jrunc.core.api.ContainerNotFoundException;
import io.jrunc.core.api.ContainerStatus;
import io.jrunc.core.api.CreateOptions;
import io.jrunc.core.api.InvalidConfigException;
import io.jrunc.core.api.InvalidStateException;
import io.jrunc.core.api.MalformedStateException;
import io.jrunc.core.api.SetupException;
import io.jrunc.core.api.Stdio;
import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.spawn.Spawner;
import io.jrunc.core.spawn.StepFailedException;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.MalformedRecordException;
import io.jrunc.core.state.ProcStat;
import io.jrunc.core.state.StateStore;
import io.jrunc.core.sys.BoundedFile;
import io.jrunc.core.sys.Clone;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.Stat;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.sys.SysException;
import io.jrunc.core.cgroup.CgroupConfig;
import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.cgroup.CgroupHost;
import io.jrunc.core.cgroup.CgroupManager;
import io.jrunc.core.cgroup.CgroupMounts;
import io.jrunc.core.cgroup.CgroupPaths;
import io.jrunc.core.cgroup.Cgroups;
import io.jrunc.core.cgroup.DeviceRule;
import io.jrunc.core.cgroup.Layout;
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
import io.jrunc.spec.validate.Problem;
import io.jrunc.spec.validate.ValidationOptions;
import io.jrunc.spec.validate.ValidationReport;
import io.jrunc.spec.validate.Validator;
import io.jrunc.core.security.IdMapper;
import io.jrunc.core.security.SecurityConfigException;
import io.jrunc.core.security.SecurityPlan;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

/**
 * The verbs and the state machine: create, start, kill, delete, state. Each verb takes the
 * container's lock, so concurrent commands on one container serialise.
 *
 * <table>
 *   <caption>Which verb is allowed in which status</caption>
 *   <tr><th>status</th><th>start</th><th>kill</th><th>delete</th><th>delete --force</th></tr>
 *   <tr><td>created</td><td>yes</td><td>yes</td><td>yes (init is killed)</td><td>yes</td></tr>
 *   <tr><td>running</td><td>no</td><td>yes</td><td>no</td><td>yes (SIGKILL first)</td></tr>
 *   <tr><td>paused</td><td>no</td><td>yes</td><td>no</td><td>yes</td></tr>
 *   <tr><td>stopped</td><td>no</td><td>no: "container not running"</td><td>yes</td><td>yes</td></tr>
 * </table>
 */
public final class Lifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);
  static final String FIFO = "exec.fifo";

  private final StateStore store;
  private final Boolean rootlessFlag;

  /**
   * Set only by the CLI's AOT training run: create plans everything (config, security,
   * cgroup layout, rootfs, the child program, the trampoline mapping) and then stops before
   * making a cgroup or cloning, so the cache holds the classes of a real create without the
   * build machine ever starting a container.
   */
  public static final String PLAN_ONLY_PROPERTY = "jrunc.internal.aotPlanOnly";

  public Lifecycle(StateStore store) {
    this(store, null);
  }

  /**
   * @param rootless runc's global {@code --rootless}: TRUE or FALSE, or null for auto (rootless
   *     when the effective uid is not 0); decides whether cgroup permission errors are tolerated
   */
  public Lifecycle(StateStore store, Boolean rootless) {
    this.store = store;
    this.rootlessFlag = rootless;
  }

  /** runc's shouldUseRootlessCgroupManager for {@code --rootless} (no systemd owner lookup here). */
  boolean rootless(boolean systemdCgroup) {
    String flag = rootlessFlag == null ? "auto" : rootlessFlag.toString();
    return IdMapper.rootless(flag, Libc.geteuid(), IdMapper.inUserNamespace(), systemdCgroup, null);
  }

  public StateStore store() {
    return store;
  }

  /** The result of create: the record, and the caller's ends of piped stdio (or -1). */
  public record Created(ContainerRecord record, int[] callerPipes) {}

  // ---------------------------------------------------------------- create

  public Created create(String id, CreateOptions opts) throws ContainerException {
    try {
      StateStore.checkId(id);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(e.getMessage());
    }
    // config.json is read before the id is claimed: a bad one (a FIFO, a device, too big)
    // fails here with nothing made, and a read cannot be interrupted half-way with a state
    // directory left behind
    Spec loaded = loadSpec(opts.bundle().toAbsolutePath().normalize(), opts.systemdCgroup());
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

  private Created doCreate(String id, CreateOptions opts, Spec loaded, List<AutoCloseable> cleanup, int[] childPid)
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
    boolean rootless = rootless(opts.systemdCgroup());
    CgroupManager cgroup;
    try {
      var linux = spec.linux();
      cgroup = Cgroups.create(new CgroupConfig(id, linux == null ? null : linux.cgroupsPath(),
          DeviceRule.withRuncDevices(linux == null ? null : linux.resources()),
          opts.systemdCgroup(), rootless));
    } catch (CgroupException e) {
      throw new InvalidConfigException("config.json: " + e.getMessage());
    }
    boolean planOnly = Boolean.getBoolean(PLAN_ONLY_PROPERTY);
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
    Path fifo = store.dir(id).resolve(FIFO);
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
    try {
      ch.release();
      Spawner.Report r;
      while (true) {
        r = Spawner.next(program, ch, init, announcing);
        if (r.hooks()) {
          State st = new State(ociVersion(spec), id, "creating", init, bundle.toString(), spec.annotations(),
              null, null, null);
          try {
            // prestart (deprecated) and createRuntime run in the runtime's namespaces,
            // createContainer in the container's, all after the mounts and before pivot_root
            HookRunner.runAll("prestart", hooks.prestart(), st, HookLauncher.inRuntime(bundle));
            HookRunner.runAll("createRuntime", hooks.createRuntime(), st, HookLauncher.inRuntime(bundle));
            HookRunner.runAll("createContainer", hooks.createContainer(), st,
                HookLauncher.createContainer(init, spec, rootfs));
          } catch (HookRunner.HookException he) {
            throw new SetupException(he.getMessage(), 0, he);
          }
          ch.release();
        } else if (r.announcingStep() >= 0 && r.announcingStep() == security.listenerStep()) {
          // init loaded its filter and waits until the agent has the listener
          security.forwardListener(init, r.value(), new State(ociVersion(spec), id, "creating", init,
              bundle.toString(), spec.annotations(), null, null, null), init);
        } else if (r.announcingStep() >= 0) {
          init = (int) r.value();
          childPid[0] = init;
          Libc.wait4(child.pid(), 0); // the first child exits at once
        } else {
          break;
        }
      }
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
      if (init != child.pid()) reapQuietly(init);
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
    return new Created(rec, callerPipes);
  }

  private static ContainerRecord record(String id, Path bundle, Path rootfs, int pid, long startTime, Spec spec,
      Map<String, String> cgroup, boolean systemd, boolean rootless, Namespaces ns) {
    return new ContainerRecord(id, bundle.toString(), rootfs.toString(), pid, startTime,
        DateTimeFormatter.ISO_INSTANT.format(Instant.now().atOffset(ZoneOffset.UTC)), ownerName(),
        spec.annotations(), spec.ociVersion(), cgroup, systemd, rootless, ns.creates("pid"));
  }

  /** For a cgroup mount without a cgroup namespace: each hierarchy's directory of this container. */
  static Map<String, Path> cgroupDirs(CgroupManager cg) {
    Map<String, Path> dirs = new LinkedHashMap<>();
    Path base = Path.of("/sys/fs/cgroup");
    Map<String, String> paths = new LinkedHashMap<>(cg.paths());
    if (paths.isEmpty()) {
      // rootless without a cgroup (not delegated): the container stays in ours, so that is what a
      // cgroup mount shows (runc binds /proc/self/cgroup's directories the same way)
      try {
        CgroupHost h = CgroupHost.current();
        CgroupPaths.own(h.mounts(), CgroupMounts.parseProcCgroup(h.selfCgroup()))
            .forEach((k, v) -> paths.put(k, v.toString()));
      } catch (CgroupException | java.io.UncheckedIOException e) {
        return dirs; // no cgroup mounts at all: RootfsSetup names the mount it cannot make
      }
    }
    for (var e : paths.entrySet()) {
      Path p = Path.of(e.getValue());
      if (!p.startsWith(base)) continue;
      if (cg.layout() == Layout.V2) {
        dirs.put("", p);
      } else {
        dirs.put(base.relativize(p).getName(0).toString(), p);
      }
    }
    return dirs;
  }

  /** Compiles seccomp and plans capabilities/LSM in the parent: config errors surface before any clone. */
  static SecurityPlan prepareSecurity(Spec spec) throws ContainerException {
    try {
      return SecurityPlan.prepare(spec);
    } catch (SecurityConfigException e) {
      throw new InvalidConfigException("config.json: " + e.getMessage());
    } catch (SysException e) {
      throw new SetupException(e.getMessage(), e.errno(), e);
    }
  }

  private static boolean notEmpty(List<?> l) {
    return l != null && !l.isEmpty();
  }

  static String ociVersion(Spec spec) {
    return spec.ociVersion() == null ? "1.3.0" : spec.ociVersion();
  }

  static final InitPlanner.ChildSteps NO_EXTRA = (pb, beforePivot) -> {};

  /** The steps whose report carries a value: the pid a fork announces, the seccomp listener. */
  static Set<Integer> announcing(int forkStep, SecurityPlan security) {
    Set<Integer> s = new java.util.HashSet<>();
    if (forkStep >= 0) s.add(forkStep);
    if (security.listenerStep() >= 0) s.add(security.listenerStep());
    return s;
  }

  static InitPlanner.ChildSteps securitySteps(SecurityPlan security) {
    return securitySteps(security, (pb, beforePivot) -> {});
  }

  /** The security plan's steps at their places around the user switch, and the given rootfs steps. */
  static InitPlanner.ChildSteps securitySteps(SecurityPlan security,
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
  static boolean openJoins(Path procRoot, Namespaces ns, Map<String, Integer> fds, Map<String, String> paths,
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

  private static void openStdio(Stdio s, int[] stdio, int[] callerPipes, List<AutoCloseable> cleanup) throws SetupException {
    if (s == null) return;
    Stdio.Stream[] streams = {s.in(), s.out(), s.err()};
    for (int i = 0; i < 3; i++) {
      try {
        switch (streams[i]) {
          case Stdio.Inherit x -> {}
          case Stdio.ToFile f -> {
            int flags = i == 0 ? Open.O_RDONLY : Open.O_WRONLY | Open.O_CREAT | Open.O_APPEND;
            int fd = Libc.open(f.path().toString(), flags | Open.O_CLOEXEC, 0644);
            stdio[i] = fd;
            cleanup.add(() -> Libc.close(fd));
          }
          case Stdio.Pipe p -> {
            int[] pipe = Libc.pipe2(Open.O_CLOEXEC);
            int childEnd = i == 0 ? pipe[0] : pipe[1];
            callerPipes[i] = i == 0 ? pipe[1] : pipe[0];
            stdio[i] = childEnd;
            cleanup.add(() -> Libc.close(childEnd));
          }
        }
      } catch (SysException x) {
        throw new SetupException("set up stdio: " + x.getMessage(), x.errno(), x);
      }
    }
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

  /** Kills what is left in the container's cgroup and removes the directories we made. */
  static void destroyCgroup(ContainerRecord r) throws ContainerException {
    if (r.cgroup() == null || r.cgroup().isEmpty()) return;
    try {
      Cgroups.reopen(r.cgroup()).destroy();
    } catch (CgroupException e) {
      throw new SetupException("remove the cgroup of " + r.id() + ": " + e.getMessage(), 0, e);
    }
  }

  /**
   * Reads and checks config.json: the semantic checks every create needs (the JSON schema is
   * left to {@code jrunc validate}: it costs hundreds of ms in a fresh JVM). Every problem is
   * reported at once, each with its JSON path.
   */
  static Spec loadSpec(Path bundle, boolean systemdCgroup) throws InvalidConfigException {
    Path config = bundle.resolve("config.json");
    byte[] bytes;
    try {
      bytes = BoundedFile.read(config, "config.json", BoundedFile.JSON_LIMIT, BoundedFile.Links.FOLLOW);
    } catch (NoSuchFileException e) {
      throw new InvalidConfigException("config.json: open " + config + ": no such file or directory");
    } catch (BoundedFile.RefusedException e) {
      throw new InvalidConfigException(e.getMessage());
    } catch (IOException e) {
      throw new InvalidConfigException("config.json: read " + config + ": " + e.getMessage());
    }
    ValidationReport report = Validator.validate(bytes,
        ValidationOptions.forCreate().withSystemdCgroup(systemdCgroup).withRequireProcess(true));
    // notes on a valid config (a duplicate entry, consoleSize without a terminal): for --debug,
    // not stderr, where runc prints nothing and callers compare the output
    for (Problem w : report.warnings()) LOG.debug(w.format(report.fileName()));
    if (!report.ok()) {
      List<String> lines = new ArrayList<>();
      for (Problem pr : report.problems()) lines.add(pr.format(report.fileName()));
      throw new InvalidConfigException(lines);
    }
    return report.spec();
  }

  static void writePidFile(Path pidFile, int pid) throws IOException {
    Path abs = pidFile.toAbsolutePath();
    StateStore.writeAtomically(abs, Integer.toString(pid).getBytes());
  }

  private static String ownerName() {
    try {
      return Files.getOwner(Path.of("/proc/self")).getName();
    } catch (IOException | UnsupportedOperationException e) {
      return "";
    }
  }

  /** A wait status as Go's os/exec words it (runc's messages): "exit status 1", "signal: bad system call". */
  static String describeWait(int st) {
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

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // best effort during cleanup
    }
  }

  // ---------------------------------------------------------------- load / status

  public ContainerRecord load(String id) throws ContainerException {
    try {
      StateStore.checkId(id);
    } catch (IllegalArgumentException e) {
      throw new ContainerNotFoundException(id);
    }
    if (!store.exists(id)) throw new ContainerNotFoundException(id);
    try {
      ContainerRecord r = store.readRecord(id);
      if (r == null) throw new InvalidStateException("container " + id + " is being created", ContainerStatus.CREATING);
      return r;
    } catch (MalformedRecordException e) {
      throw new MalformedStateException(e.getMessage(), e);
    } catch (IOException e) {
      throw new SetupException("read state of " + id + ": " + e.getMessage(), 0, e);
    }
  }

  /** The status now: {@link StatusDerivation}'s rule over /proc, the state directory and the cgroup. */
  public ContainerStatus status(ContainerRecord r) {
    return StatusDerivation.derive(r, StatusDerivation.host(store));
  }

  /** The container's cgroup manager, re-opened from its record; null when it has none. */
  static CgroupManager cgroupOf(ContainerRecord r) {
    if (r.cgroup() == null || r.cgroup().isEmpty()) return null;
    try {
      CgroupManager m = Cgroups.reopen(r.cgroup());
      // a rootless container whose cgroup was not permitted: kill/delete signal init, not a cgroup
      return "none".equals(m.driver()) ? null : m;
    } catch (CgroupException e) {
      LOG.debug("re-open the cgroup of {}: {}", r.id(), e.getMessage());
      return null;
    }
  }

  private CgroupManager requireCgroup(ContainerRecord r) throws ContainerException {
    CgroupManager cg = cgroupOf(r);
    if (cg == null) {
      throw new SetupException("container " + r.id() + " has no cgroup of its own"
          + (r.rootless() ? " (rootless: cgroup creation was not permitted)" : ""), 0, null);
    }
    return cg;
  }

  // ---------------------------------------------------------------- pause / resume / ps / update / stats

  public void pause(String id) throws ContainerException {
    try (StateStore.Lock lock = store.lock(load(id).id())) {
      ContainerRecord r = load(id);
      ContainerStatus s = status(r);
      if (s != ContainerStatus.RUNNING && s != ContainerStatus.CREATED) {
        throw new InvalidStateException("container not running", s);
      }
      requireCgroup(r).freeze();
    } catch (CgroupException e) {
      throw new SetupException("pause " + id + ": " + e.getMessage(), 0, e);
    } catch (IOException e) {
      throw new SetupException("pause " + id + ": " + e.getMessage(), 0, e);
    }
  }

  public void resume(String id) throws ContainerException {
    try (StateStore.Lock lock = store.lock(load(id).id())) {
      ContainerRecord r = load(id);
      ContainerStatus s = status(r);
      if (s != ContainerStatus.PAUSED) throw new InvalidStateException("container not paused", s);
      requireCgroup(r).thaw();
    } catch (CgroupException e) {
      throw new SetupException("resume " + id + ": " + e.getMessage(), 0, e);
    } catch (IOException e) {
      throw new SetupException("resume " + id + ": " + e.getMessage(), 0, e);
    }
  }

  /** The host pids of every process in the container's cgroup. */
  public List<Integer> pids(String id) throws ContainerException {
    ContainerRecord r = load(id);
    CgroupManager cg = cgroupOf(r);
    try {
      if (cg != null) return cg.pids();
    } catch (CgroupException e) {
      throw new SetupException("list the processes of " + id + ": " + e.getMessage(), 0, e);
    }
    if (status(r) == ContainerStatus.STOPPED) return List.of();
    return r.ownPidNamespace() ? inPidNamespaceOf(r.pid()) : List.of(r.pid());
  }

  /**
   * Without a cgroup (rootless, not delegated) the container's processes are those in its own pid
   * namespace: every /proc/PID whose ns/pid is init's. Processes we may not inspect are not ours.
   */
  static List<Integer> inPidNamespaceOf(int init) {
    List<Integer> out = new ArrayList<>();
    Path ns = Path.of("/proc", Integer.toString(init), "ns", "pid");
    try (var dir = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
      for (Path p : dir) {
        try {
          if (Files.isSameFile(p.resolve("ns/pid"), ns)) out.add(Integer.parseInt(p.getFileName().toString()));
        } catch (IOException | SecurityException e) {
          // gone meanwhile, or not ours to see
        }
      }
    } catch (IOException e) {
      return List.of(init);
    }
    out.sort(null);
    return out.isEmpty() ? List.of(init) : out;
  }

  public void update(String id, io.jrunc.spec.LinuxResources resources) throws ContainerException {
    try (StateStore.Lock lock = store.lock(load(id).id())) {
      ContainerRecord r = load(id);
      if (status(r) == ContainerStatus.STOPPED) throw new InvalidStateException("container not running", ContainerStatus.STOPPED);
      requireCgroup(r).update(resources);
    } catch (CgroupException e) {
      throw new SetupException(e.getMessage(), 0, e);
    } catch (IOException e) {
      throw new SetupException("update " + id + ": " + e.getMessage(), 0, e);
    }
  }

  /** The cgroup statistics, shaped like runc's {@code events --stats} data. */
  public io.jrunc.core.cgroup.CgroupStats stats(String id) throws ContainerException {
    ContainerRecord r = load(id);
    if (status(r) == ContainerStatus.STOPPED) throw new InvalidStateException("container not running", ContainerStatus.STOPPED);
    try {
      return requireCgroup(r).stats();
    } catch (CgroupException e) {
      throw new SetupException("stats of " + id + ": " + e.getMessage(), 0, e);
    }
  }

  /** How many processes the OOM killer has killed in the container's cgroup. */
  public long oomKills(String id) throws ContainerException {
    try {
      return requireCgroup(load(id)).oomKillCount();
    } catch (CgroupException e) {
      throw new SetupException("oom count of " + id + ": " + e.getMessage(), 0, e);
    }
  }

  /** The OCI state, with runc's extra fields. A container being created reports "creating". */
  public State state(String id) throws ContainerException {
    ContainerRecord r;
    try {
      r = load(id);
    } catch (InvalidStateException e) {
      if (e.status() == ContainerStatus.CREATING) {
        return new State("1.3.0", id, "creating", 0, null, null, null, null, null);
      }
      throw e;
    }
    ContainerStatus s = status(r);
    return new State(r.ociVersion() == null ? "1.3.0" : r.ociVersion(), r.id(), s.text(),
        s == ContainerStatus.STOPPED ? 0 : r.pid(), r.bundle(), r.annotations(), r.rootfs(), r.created(), r.owner());
  }

  // ---------------------------------------------------------------- start

  public void start(String id) throws ContainerException {
    NotifySocket notify = null;
    ContainerRecord started = null;
    try (StateStore.Lock lock = store.lock(load(id).id())) {
      ContainerRecord r = load(id);
      ContainerStatus s = status(r);
      switch (s) {
        case CREATED -> {}
        case STOPPED -> throw new InvalidStateException("cannot start a container that has stopped", s);
        default -> throw new InvalidStateException("cannot start an already running container", s);
      }
      Spec spec = store.readConfig(id);
      Hooks hooks = spec.hooks();
      if (hooks != null && hooks.startContainer() != null) {
        try {
          HookRunner.runAll("startContainer", hooks.startContainer(), state(id),
              HookLauncher.startContainer(r.pid(), spec));
        } catch (HookRunner.HookException he) {
          throw new SetupException(he.getMessage(), 0, he);
        }
      }
      // sd_notify passthrough (as runc): the socket create mounted at /run/notify is bound now,
      // and once init runs its READY=1 is forwarded to the caller's NOTIFY_SOCKET
      String notifyHost = NotifySocket.hostSocket(System.getenv());
      if (notifyHost != null && Files.isDirectory(NotifySocket.socketPath(store.dir(id)).getParent())) {
        notify = NotifySocket.bind(store.dir(id), notifyHost);
      }
      Path fifo = store.dir(id).resolve(FIFO);
      int fd = Libc.openRaw(fifo.toString(), Open.O_WRONLY | Open.O_NONBLOCK | Open.O_CLOEXEC, 0);
      if (fd == -Errno.ENXIO) {
        throw new InvalidStateException("cannot start a container that has stopped", ContainerStatus.STOPPED);
      }
      if (fd < 0) throw new SetupException("open exec fifo " + fifo + ": " + Errno.describe(-fd), -fd, null);
      try {
        Libc.write(fd, new byte[] {'0'});
      } catch (SysException e) {
        throw new SetupException("start the container: " + e.getMessage(), e.errno(), e);
      } finally {
        Libc.close(fd);
      }
      Files.deleteIfExists(fifo);
      if (hooks != null && hooks.poststart() != null) {
        try {
          // the state as it was at start: a process that has exited already was still started
          State st = new State(ociVersion(spec), id, State.RUNNING, r.pid(), r.bundle(), r.annotations(), r.rootfs(),
              r.created(), r.owner());
          HookRunner.runAll("poststart", hooks.poststart(), st, HookLauncher.inRuntime(null));
        } catch (HookRunner.HookException he) {
          // runtime-spec 1.3: a failing poststart hook fails start; the container is stopped
          try {
            signalInit(r, 9);
          } catch (ContainerException ignored) {
            // exited already
          }
          throw new SetupException(he.getMessage(), 0, he);
        }
      }
      started = r;
    } catch (IOException e) {
      if (notify != null) notify.close();
      throw new SetupException("start " + id + ": " + e.getMessage(), 0, e);
    } catch (ContainerException | RuntimeException e) {
      if (notify != null) notify.close();
      throw e;
    }
    if (notify != null) {
      // outside the lock: kill and delete must not wait for a container that never says READY
      ContainerRecord r = started;
      try (NotifySocket n = notify) {
        n.forwardUntilReady(r.pid(), () -> ProcStat.isAlive(r.pid(), r.pidStartTime()), null);
      } catch (SysException e) {
        throw new SetupException("forward the container's sd_notify messages: " + e.getMessage(), e.errno(), e);
      }
    }
  }

  // ---------------------------------------------------------------- kill

  public void kill(String id, int signal, boolean all) throws ContainerException {
    try (StateStore.Lock lock = store.lock(load(id).id())) {
      ContainerRecord r = load(id);
      ContainerStatus s = status(r);
      CgroupManager cg = cgroupOf(r);
      // runc 1.2: without a pid namespace of its own, SIGKILL goes to every process in the
      // cgroup even when init is gone (the others would outlive it; with a pid namespace the
      // kernel ends them with init)
      boolean killAll = signal == 9 && !r.ownPidNamespace() && cg != null;
      if (s == ContainerStatus.CREATING || s == ContainerStatus.STOPPED && !killAll) {
        if (s == ContainerStatus.STOPPED && all) return; // runc: --all is no error on a stopped container
        throw new InvalidStateException("container not running", s);
      }
      if (cg != null && (all || !r.ownPidNamespace())) {
        try {
          cg.kill(signal);
        } catch (CgroupException e) {
          throw new SetupException("signal the processes of " + id + ": " + e.getMessage(), 0, e);
        }
      } else {
        signalInit(r, signal);
        if (cg == null && all && r.ownPidNamespace()) {
          // no cgroup (rootless, not delegated): the rest of its pid namespace, as ps lists it
          for (int pid : inPidNamespaceOf(r.pid())) if (pid != r.pid()) Libc.kill(pid, signal);
        }
      }
    } catch (IOException e) {
      throw new SetupException("kill " + id + ": " + e.getMessage(), 0, e);
    }
  }

  /** Signals init through a pidfd opened after checking its start time: no recycled pid is hit. */
  private static void signalInit(ContainerRecord r, int signal) throws ContainerException {
    int pidfd = Libc.pidfdOpen(r.pid());
    if (pidfd < 0) {
      if (pidfd == -Errno.ESRCH) throw new InvalidStateException("container not running", ContainerStatus.STOPPED);
      throw new SetupException("pidfd_open " + r.pid() + ": " + Errno.describe(-pidfd), -pidfd, null);
    }
    try {
      if (!ProcStat.isAlive(r.pid(), r.pidStartTime())) {
        throw new InvalidStateException("container not running", ContainerStatus.STOPPED);
      }
      int res = Libc.pidfdSendSignal(pidfd, signal);
      if (res == -Errno.ESRCH) throw new InvalidStateException("container not running", ContainerStatus.STOPPED);
      if (res < 0) throw new SetupException("signal " + signal + " to " + r.pid() + ": " + Errno.describe(-res), -res, null);
    } finally {
      Libc.close(pidfd);
    }
  }

  // ---------------------------------------------------------------- delete

  public void delete(String id, boolean force) throws ContainerException {
    ContainerRecord r;
    try {
      r = load(id);
    } catch (ContainerNotFoundException e) {
      if (force) return;
      throw e;
    } catch (MalformedStateException e) {
      if (!force) throw e;
      // the record cannot be trusted: find the processes by what can be (ForcedRemoval)
      if (ForcedRemoval.run(store, id)) return;
      // rewritten meanwhile and well-formed now: the ordinary path below
    } catch (InvalidStateException e) {
      if (!force) throw e;
      // a create that died half-way left a directory without state: force removes it
      try {
        store.remove(id);
      } catch (IOException x) {
        throw new SetupException("remove state of " + id + ": " + x.getMessage(), 0, x);
      }
      return;
    }
    try (StateStore.Lock lock = store.lock(id)) {
      r = load(id);
      ContainerStatus s = status(r);
      if (s == ContainerStatus.CREATING) {
        if (!force) throw new InvalidStateException("cannot delete container " + id + " that is being created", s);
        destroyCgroup(r);
        store.remove(id);
        return;
      }
      if (s == ContainerStatus.RUNNING || s == ContainerStatus.PAUSED) {
        if (!force) {
          throw new InvalidStateException("cannot delete container " + id + " that is not stopped: " + s.text(), s);
        }
      }
      if (s != ContainerStatus.STOPPED) {
        CgroupManager cg = cgroupOf(r);
        try {
          if (cg != null) {
            if (s == ContainerStatus.PAUSED) cg.thaw();
            cg.kill(9);
          } else {
            signalInit(r, 9);
          }
        } catch (InvalidStateException | CgroupException ignored) {
          // exited meanwhile
        }
        awaitExit(r);
      }
      destroyCgroup(r);
      Spec spec = null;
      try {
        spec = store.readConfig(id);
      } catch (IOException e) {
        LOG.warn("read the config of {} for its poststop hooks: {}", id, e.getMessage());
      }
      store.remove(id);
      if (spec != null && spec.hooks() != null) {
        State st = new State(ociVersion(spec), id, "stopped", 0, r.bundle(), r.annotations(), r.rootfs(), r.created(), r.owner());
        HookRunner.runAllLogging("poststop", spec.hooks().poststop(), st, HookLauncher.inRuntime(null));
      }
    } catch (IOException e) {
      throw new SetupException("delete " + id + ": " + e.getMessage(), 0, e);
    }
  }

  /** Waits until init is gone (reaping it if it is our child). */
  static void awaitExit(ContainerRecord r) {
    for (int i = 0; i < 2000; i++) {
      try {
        int[] st = Libc.wait4(r.pid(), Libc.WNOHANG);
        if (st[0] == r.pid()) return;
      } catch (SysException e) {
        // ECHILD: not our child; watch /proc instead
      }
      if (!ProcStat.isAlive(r.pid(), r.pidStartTime())) return;
      try {
        Thread.sleep(i < 100 ? 1 : 10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    LOG.warn("container init {} did not exit within 20 s of SIGKILL", r.pid());
  }

  // ---------------------------------------------------------------- exec

  /** A process started in a container: its pid (a child of this JVM) and the caller's pipe ends. */
  public record Executed(int pid, int[] callerPipes) {}

  public Executed exec(String id, io.jrunc.spec.Process proc, io.jrunc.core.api.ExecOptions opts)
      throws ContainerException {
    if (proc == null || proc.args() == null || proc.args().isEmpty()) {
      throw new InvalidConfigException("process: args must not be empty");
    }
    List<AutoCloseable> cleanup = new ArrayList<>();
    try (StateStore.Lock lock = store.lock(load(id).id())) {
      ContainerRecord r = load(id);
      ContainerStatus s = status(r);
      if (s == ContainerStatus.STOPPED) throw new InvalidStateException("cannot exec in a stopped container", s);
      if (s == ContainerStatus.PAUSED && !opts.ignorePaused()) {
        throw new InvalidStateException("cannot exec in a paused container (use --ignore-paused to override)", s);
      }
      Spec spec = store.readConfig(id);
      Path procRoot = Path.of("/proc", Integer.toString(r.pid()));
      Map<String, Integer> fds = new LinkedHashMap<>();
      Map<String, String> paths = new LinkedHashMap<>();
      boolean forkPid = openJoins(procRoot, Namespaces.of(spec), fds, paths, cleanup);
      if (!ProcStat.isAlive(r.pid(), r.pidStartTime())) {
        throw new InvalidStateException("cannot exec in a stopped container", ContainerStatus.STOPPED);
      }
      int[] stdio = {-1, -1, -1};
      int[] callerPipes = {-1, -1, -1};
      boolean terminal = Boolean.TRUE.equals(proc.terminal());
      if (!terminal) openStdio(opts.stdio(), stdio, callerPipes, cleanup); // else the terminal is its stdio
      String cwd = proc.cwd() == null ? "/" : proc.cwd();
      long execUid = proc.user() == null || proc.user().uid() == null ? 0 : proc.user().uid();
      proc = proc.withEnv(ProcessEnv.prepare(proc.env(), procRoot.resolve("root"), execUid));
      String exe = ExecutableLookup.find(procRoot.resolve("root"), proc.args().get(0), proc.env(), cwd, List.of());
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
      // the exec'd process gets the container's seccomp filter and its own capabilities and labels
      SecurityPlan security = prepareSecurity(spec.withProcess(proc));
      cleanup.add(security);
      security.handOffListener(ch.reportWrite()); // NOTIFY: the agent gets this process's listener too
      ProgramBuilder b = new ProgramBuilder();
      cleanup.add(b);
      // the process joins the container's cgroup (or the --cgroup sub-cgroups) before it runs:
      // v2 by CLONE_INTO_CGROUP, v1 by writing the first child's pid while it waits (the
      // second one inherits it)
      ExecCgroup cgroup = ExecCgroup.open(cgroupOf(r), opts.subCgroups(), id);
      cleanup.add(cgroup);
      int cgroupFd = cgroup.cloneFd();
      ExecPlanner.Planned planned = ExecPlanner.plan(b, new ExecPlanner.Inputs(proc, fds, paths, forkPid, ch, stdio,
          opts.preserveFds(), exe, securitySteps(security), console[0],
          spec.linux() == null ? null : spec.linux().personality()));
      Spawner.Child child = Spawner.clone(planned.program(), ch, 0, cgroupFd);
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
            throw new SetupException("join the cgroup of " + id + ": " + e.getMessage(), 0, e);
          }
        }
        ch.release();
        // The process is in the container's cgroup now. In a paused container (--ignore-paused)
        // it stays frozen until someone resumes it, and that resume needs this lock: held any
        // longer, exec and resume would wait for each other (runc holds no lock here either).
        lock.close();
        Set<Integer> announcing = announcing(planned.announcingStep(), security);
        while (true) {
          Spawner.Report rep = Spawner.next(planned.program(), ch, child.pid(), announcing);
          if (rep.eof()) break;
          if (rep.announcingStep() >= 0 && rep.announcingStep() == security.listenerStep()) {
            // the process loaded its filter and waits until the agent has the listener (runc's
            // setns process sends one per exec, with the container's state)
            security.forwardListener(pid, rep.value(), new State(ociVersion(spec), r.id(), s.text(), r.pid(),
                r.bundle(), r.annotations(), null, null, null), pid);
          } else if (rep.announcingStep() >= 0) {
            pid = (int) rep.value();
            Libc.wait4(child.pid(), 0); // the intermediate exits at once
          }
        }
      } catch (StepFailedException x) {
        if (pid != child.pid()) reapQuietly(pid);
        throw new SetupException(x.getMessage(), x.errno(), x);
      } catch (SysException x) {
        // it waits for us (the listener hand-off) or is about to exec: it must not run
        Libc.kill(pid, 9);
        reapQuietly(pid);
        throw new SetupException(x.getMessage(), x.errno(), x);
      }
      if (pidfdSock >= 0) sendExecPidfd(pidfdSock, opts.pidfdSocket(), pid);
      if (opts.pidFile() != null) writePidFile(opts.pidFile(), pid);
      for (AutoCloseable c : cleanup) closeQuietly(c);
      return new Executed(pid, callerPipes);
    } catch (IOException e) {
      for (AutoCloseable c : cleanup) closeQuietly(c);
      throw new SetupException("exec in " + id + ": " + e.getMessage(), e instanceof SysException se ? se.errno() : 0, e);
    } catch (ContainerException | RuntimeException e) {
      for (AutoCloseable c : cleanup) closeQuietly(c);
      throw e;
    }
  }

  /**
   * The console socket of an exec: the caller's connected fd, a fresh connection to the path,
   * or -1 without a terminal. A console socket without a terminal, or a terminal without one,
   * is refused (runc's checkTerminal; its CLI sentences are checked before this).
   */
  private static int execConsole(io.jrunc.core.api.ExecOptions opts, boolean terminal) throws ContainerException {
    boolean given = opts.consoleSocket() != null || opts.consoleFd() >= 0;
    if (!terminal) {
      if (given) throw new InvalidConfigException("process: a console socket was given but process.terminal is not true");
      return -1;
    }
    if (!given) throw new InvalidConfigException("process: terminal is true but no console socket was given");
    if (opts.consoleFd() >= 0) return opts.consoleFd();
    try {
      return ConsoleSocket.connect(opts.consoleSocket());
    } catch (SysException x) {
      throw new SetupException(x.getMessage(), x.errno(), x);
    }
  }

  private static int connectPidfdSocket(Path socket) throws ContainerException {
    try {
      return io.jrunc.core.sys.UnixSockets.connect(socket.toString());
    } catch (SysException x) {
      throw new SetupException(new SysException("connect to the pidfd socket", socket.toString(), x.errno()).getMessage(),
          x.errno(), x);
    }
  }

  /**
   * {@code --pidfd-socket} of an exec ({@link PidfdSocket}'s protocol, payload "setns"): a
   * pidfd of the exec'd process, our unreaped child, so the pid cannot have been recycled. If
   * it cannot be sent, the process is killed (the caller asked to supervise it through it).
   */
  private static void sendExecPidfd(int sock, Path socket, int pid) throws ContainerException {
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
      Libc.kill(pid, 9);
      reapQuietly(pid);
      throw new SetupException(x.getMessage(), x.errno(), x);
    } finally {
      if (pidfd >= 0) Libc.close(pidfd);
    }
  }

  private static void reapQuietly(int pid) {
    try {
      Libc.wait4(pid, 0); // it exits right after reporting
    } catch (SysException ignored) {
      // gone already
    }
  }

  public List<String> ids() throws IOException {
    return store.ids();
  }
}
