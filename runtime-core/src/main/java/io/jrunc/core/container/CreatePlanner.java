package io.jrunc.core.container;

import static io.jrunc.core.container.ContainerCgroups.cgroupDirs;

import io.jrunc.core.cgroup.CgroupConfig;
import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.cgroup.CgroupManager;
import io.jrunc.core.cgroup.Cgroups;
import io.jrunc.core.cgroup.DeviceRule;
import io.jrunc.core.cgroup.Layout;
import io.jrunc.core.cgroup.ResourceWrites;
import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.Failures;
import io.jrunc.core.failure.InvalidConfigFailure;
import io.jrunc.core.process.ExecutableLookup;
import io.jrunc.core.process.LaunchSupport;
import io.jrunc.core.process.Namespaces;
import io.jrunc.core.process.ParentSetup;
import io.jrunc.core.process.ProcessAttributes;
import io.jrunc.core.process.ProcessEnv;
import io.jrunc.core.rootfs.RootfsConfigException;
import io.jrunc.core.rootfs.RootfsContext;
import io.jrunc.core.rootfs.ContainerTree;
import io.jrunc.core.rootfs.RootfsSetup;
import io.jrunc.core.security.IdMapper;
import io.jrunc.core.security.SecurityPlan;
import io.jrunc.core.state.StateStore;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.terminal.ConsoleSocket;
import io.jrunc.core.terminal.ListenFds;
import io.jrunc.core.terminal.NotifySocket;
import io.jrunc.spec.Hooks;
import io.jrunc.spec.LinuxResources;
import io.jrunc.spec.Mount;
import io.jrunc.spec.Root;
import io.jrunc.spec.Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * create's first two stages, validate and plan: reads and checks config.json, then decides
 * everything create will do, into a {@link CreatePlan}. Nothing is made here: no state
 * directory, cgroup, fifo or file; the host is only read (the rootfs, /proc/self/mountinfo, the
 * cgroup mounts, /etc/subuid). So every config error, and every refusal that depends only on
 * the config and the host, comes out before create has anything to undo. (A seccomp filter
 * compiled here is kept in the state root for the next container with the same profile: a
 * cache file of the runtime's, not the container's, {@code SeccompCache}.)
 */
final class CreatePlanner {
  private CreatePlanner() {}

  static CreatePlan plan(Lifecycle lc, String id, CreateRequest opts) throws ContainerFailure {
    try {
      StateStore.checkId(id);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigFailure(e.getMessage());
    }
    Path bundle = opts.bundle().toAbsolutePath().normalize();
    Spec spec = SpecLoader.loadSpec(bundle, opts.systemdCgroup());
    Path given = bundle.resolve(spec.root().path()).normalize();
    if (!Files.isDirectory(given)) {
      throw new InvalidConfigFailure("config.json: /root/path: rootfs " + given + " is not a directory");
    }
    // A rootfs reached through a symlink is used where it really is (as crun's realpath):
    // mounting onto a symlink fails, and runc only refuses it.
    Path rootfs;
    try {
      rootfs = given.toRealPath();
    } catch (IOException e) {
      throw new InvalidConfigFailure("config.json: /root/path: rootfs " + given + ": " + e.getMessage());
    }
    if (!rootfs.equals(given)) spec = spec.withRoot(new Root(rootfs.toString(), spec.root().readonly()));
    try {
      RootfsSetup.validate(spec);
    } catch (RootfsConfigException e) {
      throw Failures.translate(e);
    }
    ProcessAttributes.checkSupported(spec.linux());
    boolean terminal = Boolean.TRUE.equals(spec.process().terminal());
    checkTerminal(opts, terminal);

    // sd_notify passthrough: the container gets a socket of ours at /run/notify (start forwards
    // READY); its directory in the state directory is made by CreateResources
    NotifySocket.Prepared notify = null;
    if (NotifySocket.hostSocket(System.getenv()) != null) {
      notify = NotifySocket.describe(lc.store().dir(id));
      List<Mount> mounts = new ArrayList<>(spec.mounts() == null ? List.of() : spec.mounts());
      mounts.add(notify.mount());
      spec = spec.withMounts(mounts).withProcess(spec.process().withEnv(
          replaceEnv(spec.process().env(), List.of("NOTIFY_SOCKET="), List.of(notify.envEntry()))));
    }
    // socket activation: LISTEN_FDS passed on with LISTEN_PID=1, and those fds preserved
    ListenFds.Result listen = ListenFds.compute(opts.preserveFds());
    if (listen.listenFds() > 0) {
      spec = spec.withProcess(spec.process().withEnv(
          replaceEnv(spec.process().env(), List.of("LISTEN_FDS=", "LISTEN_PID="), listen.env())));
    }
    long uid = spec.process().user() == null || spec.process().user().uid() == null ? 0 : spec.process().user().uid();
    // HOME is not looked up by this thread: the lookup reads the image's /etc/passwd in the
    // rootfs through system calls, offered below with the executable's to the helper, and
    // the init program's compile takes it. Planning then makes no system call for a plain config
    // (the security plan's libseccomp calls come last), so in a fresh CLI JVM it never waits for
    // the link started on another core at Main (NativeAccess.linkInBackground). The executable
    // lookup needs only the merged PATH.
    spec = spec.withProcess(spec.process().withEnv(ProcessEnv.merge(spec.process().env())));

    Namespaces ns = Namespaces.of(spec);
    ParentSetup.checkNetDevices(spec.linux(), ns);
    ParentSetup.checkSysctlNetns(spec.linux(), ns);
    ParentSetup.checkUtsNotHosts(spec, ns);
    RootfsSetup rootfsSetup = null;
    SecurityPlan security = null;
    CreateHelper.Offered<List<String>> homeEnv = null;
    try {
      List<String> dests = new ArrayList<>();
      if (spec.mounts() != null) for (Mount m : spec.mounts()) dests.add(m.destination());
      String cwd = spec.process().cwd() == null ? "/" : spec.process().cwd();
      // The executable and HOME lookups read the image (~0.8 ms each interpreted): they are
      // offered to the helper (in a CLI call the link thread, once linked), which runs them while
      // this thread plans the cgroup, the rootfs and security. runc's init looks both up inside
      // the container, after its mounts and masks: each lookup notes the paths it resolved, and
      // is made again in the planned tree when a mount or masked path covers one of them (a
      // bind-mounted tools directory on PATH, a bind-mounted /etc/passwd; RootfsSetup.covers).
      // Offered after the rootfs plan instead, the helper idled for it and a cold run took ~1 ms
      // longer. The executable's failure comes first, as when it ran first; HOME's (a hostile
      // /etc/passwd) at the compile that takes it.
      ContainerTree image = ContainerTree.of(rootfs);
      List<String> exePaths = new ArrayList<>();
      List<String> homePaths = new ArrayList<>();
      Spec planned = spec;
      CreateHelper.Offered<String> exeLookup = CreateHelper.offer(() ->
          ExecutableLookup.find(image.noting(exePaths), planned.process().args().get(0), planned.process().env(), cwd, dests));
      homeEnv = CreateHelper.offer(() -> ProcessEnv.withHome(planned.process().env(), image.noting(homePaths), uid));
      boolean replan = false;
      boolean rootless;
      CgroupManager cgroup;
      java.util.Map<String, Path> dirs;
      boolean hookPause;
      IdMapper.Host idHost;
      boolean setgroups;
      try {
        rootless = lc.rootless(opts.systemdCgroup());
        cgroup = cgroupManager(id, spec, opts, rootless);
        dirs = cgroupDirs(cgroup);
        if (ns.has("mount")) {
          RootfsContext ctx = RootfsContext.of(spec, bundle).withNoPivot(opts.noPivot())
              .withNewUserNs(ns.inUserNs()).withCgroupDirs(dirs);
          if (notify != null) ctx = ctx.withLaterDirs(Set.of(notify.socketPath().getParent()));
          try {
            rootfsSetup = RootfsSetup.plan(ctx);
          } catch (RootfsConfigException e) {
            throw Failures.translate(e);
          }
          // the parent opens bind sources for a new user namespace (see MountPlanner): the notify
          // directory's can only be opened once it exists
          replan = notify != null && ns.creates("user") && Libc.geteuid() == 0;
        }
        Hooks hooks = spec.hooks();
        hookPause = hooks != null && (notEmpty(hooks.prestart()) || notEmpty(hooks.createRuntime())
            || notEmpty(hooks.createContainer()));
        // only a new user namespace has maps to write: no /proc/self/status reads nor PATH walk
        // for newuidmap/newgidmap otherwise
        idHost = ns.creates("user") ? IdMapper.Host.detect() : null;
        setgroups = idHost == null || !IdMapper.setgroupsDenied(spec.linux().gidMappings(), idHost);
        // Security last: a seccomp filter is compiled through libseccomp, and even a cached one is
        // looked up by libseccomp's version, both downcalls that in a fresh CLI JVM wait for the
        // link: the rest of planning (~6 ms) runs meanwhile instead of after it.
        security = LaunchSupport.prepareSecurity(spec, lc.store().root());
      } catch (ContainerFailure | RuntimeException e) {
        // its failure first, unless a mount may hold what the image lacks
        if (rootfsSetup == null || !rootfsSetup.covers(exePaths)) CreateHelper.take(exeLookup);
        throw e;
      }
      // taken last: the link thread, linked ~5-6 ms after Main, has had all of planning for it
      String exe = null;
      ContainerFailure notFound = null;
      try {
        exe = CreateHelper.take(exeLookup);
      } catch (ContainerFailure f) {
        notFound = f; // in the image: the mounts may still hold it
      }
      if (rootfsSetup != null && rootfsSetup.covers(exePaths)) {
        exe = ExecutableLookup.find(rootfsSetup.tree(), spec.process().args().get(0), spec.process().env(), cwd, dests);
      } else if (notFound != null) {
        throw notFound;
      }
      return new CreatePlan(id, opts, bundle, rootfs, spec, homeEnv, homePaths, terminal, notify, listen, uid, ns, security, exe,
          cgroup, rootless, rootfsSetup, dirs, replan, hookPause, idHost, setgroups);
    } catch (ContainerFailure | RuntimeException | Error e) {
      CreateHelper.withdraw(homeEnv);
      if (security != null) security.close();
      if (rootfsSetup != null) rootfsSetup.close();
      throw e;
    }
  }

  /**
   * runc's flag rules concern --console-socket; a console fd is the caller's own relay
   * (foreground run -t), which needs a terminal and nothing else.
   */
  private static void checkTerminal(CreateRequest opts, boolean terminal) throws InvalidConfigFailure {
    String problem = opts.consoleFd() >= 0
        ? (terminal ? null : "a console fd was given but process.terminal is not true")
        : ConsoleSocket.checkFlags(terminal, opts.detach(), opts.consoleSocket() != null);
    if (problem == null && terminal && opts.consoleFd() < 0 && opts.consoleSocket() == null) {
      problem = "process.terminal is true but no console socket was given";
    }
    if (problem != null) throw new InvalidConfigFailure(problem);
  }

  /**
   * The cgroup manager, its paths computed and nothing made, and the resources checked as its
   * {@code create()} would before its first mkdir: a value no kernel accepts is a config error
   * here, not a failed write after the cgroup exists.
   */
  private static CgroupManager cgroupManager(String id, Spec spec, CreateRequest opts, boolean rootless)
      throws InvalidConfigFailure {
    var linux = spec.linux();
    LinuxResources resources = linux == null ? null : linux.resources();
    try {
      CgroupManager cgroup = Cgroups.create(new CgroupConfig(id, linux == null ? null : linux.cgroupsPath(),
          DeviceRule.withRuncDevices(resources), opts.systemdCgroup(), rootless));
      if (resources != null) {
        if (cgroup.layout() == Layout.V2) ResourceWrites.v2(resources, ResourceWrites.Current.NONE);
        else ResourceWrites.v1(resources, ResourceWrites.Current.NONE);
        DeviceRule.from(resources.devices());
      }
      return cgroup;
    } catch (CgroupException e) {
      throw new InvalidConfigFailure("config.json: " + e.getMessage());
    }
  }

  private static List<String> replaceEnv(List<String> env, List<String> drop, List<String> add) {
    List<String> out = new ArrayList<>(env == null ? List.of() : env);
    for (String d : drop) out.removeIf(e -> e.startsWith(d));
    out.addAll(add);
    return out;
  }

  private static boolean notEmpty(List<?> l) {
    return l != null && !l.isEmpty();
  }
}
