package io.jrunc.core.process;


import io.jrunc.core.failure.InvalidConfigFailure;
import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.Label;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.spawn.StubImage;
import io.jrunc.core.sys.Clone;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.KernelSigaction;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.Prctl;
import io.jrunc.core.sys.Signal;
import io.jrunc.core.sys.Sys;
import io.jrunc.spec.LinuxIDMapping;
import io.jrunc.spec.LinuxTimeOffset;
import io.jrunc.spec.Process;
import io.jrunc.spec.Spec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Plans the container init's child program: everything between clone and execve, in the order
 * runc's nsexec and init do it. The parent computes every value; the child only runs syscalls.
 *
 * <table>
 *   <caption>The init program</caption>
 *   <tr><th>#</th><th>steps</th><th>why here</th></tr>
 *   <tr><td>1</td><td>close the parent's pipe ends; block signals, reset every disposition to
 *       default, unblock</td><td>the JVM's handlers point into libjvm, which the child must
 *       never run</td></tr>
 *   <tr><td>2</td><td>PDEATHSIG=SIGKILL, DUMPABLE=0</td><td>a killed {@code create} takes
 *       the half-made child with it; nothing of the host is reachable through /proc/pid while
 *       it is set up (CVE-2019-5736 class)</td></tr>
 *   <tr><td>3</td><td>read the sync pipe; in a new user namespace, first the setns joins,
 *       unshare of the user namespace and those it owns, and a report that it did</td><td>the
 *       parent writes uid/gid maps, joins the cgroup, sets oom_score_adj, moves network
 *       devices. The stub was exec'd in the runtime's user namespace: non-dumpable keeps the
 *       container's own processes out of it (ProcessSteps.unshareUserNamespace)</td></tr>
 *   <tr><td>4</td><td>setns joins (user first; inside a joined user namespace the new
 *       namespaces are unshared then); uid/gid 0 in a user namespace, then its IPC namespace;
 *       time namespace with its offsets (the file opened first thing); fork into a new or joined
 *       pid namespace; cgroup namespace</td><td>namespaces before anything that depends on them</td></tr>
 *   <tr><td>5</td><td>hostname, domainname, session keyring</td><td></td></tr>
 *   <tr><td>6</td><td>root filesystem, pivot_root, masked/readonly paths</td><td></td></tr>
 *   <tr><td>7</td><td>rlimits; stdio, close_range(CLOEXEC) above the preserved fds; umask,
 *       user and capabilities (seccomp without no_new_privs), no_new_privs, cwd, final CPU
 *       affinity, (create) clear PDEATHSIG; seccomp with no_new_privs</td><td>no host fd
 *       reaches the container (CVE-2024-21626); a filter sees as few of our syscalls as
 *       possible (runc's order)</td></tr>
 *   <tr><td>8</td><td>(create) report READY, block on the exec fifo</td><td>the
 *       create process exits; start releases init</td></tr>
 *   <tr><td>9</td><td>execve</td><td></td></tr>
 * </table>
 */
public final class InitPlanner {
  private InitPlanner() {}

  /** What the planner needs besides the spec. */
  public record Inputs(
      String id,
      Spec spec,
      Path rootfs,
      Namespaces namespaces,
      Map<String, Integer> joinFds,
      SpawnChannel channel,
      int fifoFd,
      int[] stdio,
      int preserveFds,
      boolean noPivot,
      boolean noNewKeyring,
      String executable,
      boolean hookPause,
      boolean setgroups,
      ChildSteps extra) {}

  /** Steps other packages contribute (rootfs, capabilities, seccomp) at their places. */
  public interface ChildSteps {
    /**
     * Builds the root filesystem and enters it; cwd is {@code /} afterwards. {@code beforePivot}
     * is called after the mounts and before pivot_root (where the create-phase hooks run).
     */
    void rootfs(ProgramBuilder b, java.util.function.Consumer<ProgramBuilder> beforePivot);

    /** Before the uid/gid switch (bounding set, keep-caps). */
    default void beforeUserSwitch(ProgramBuilder b) {}

    /** After the uid/gid switch (capset, ambient). */
    default void afterUserSwitch(ProgramBuilder b) {}

    /** After no_new_privs and before init reports ready (seccomp with no_new_privs, as late as it can be). */
    default void beforeReady(ProgramBuilder b) {}

    /** Right before execve. */
    default void beforeExec(ProgramBuilder b) {}
  }

  /** The program, and the step that announces init's pid when it forks into its pid namespace (-1 otherwise). */
  public record Planned(ChildProgram program, int announcingStep) {}

  /**
   * Reads now what the next {@link #plan} reads of this process (its ignored signals), for a
   * thread that is idle before the plan is there: a CLI create's helper (NativeAccess).
   */
  public static void readAhead() {
    ProcessSteps.readAhead();
  }

  public static Planned plan(ProgramBuilder b, Inputs in) throws InvalidConfigFailure {
    Spec spec = in.spec();
    Process proc = spec.process();
    SpawnChannel ch = in.channel();
    // 1-4. signals, parent-death signal, not dumpable, wait for the parent, namespaces
    Namespaces ns = in.namespaces();
    Step offsets = ns.newTime() ? openTimeOffsets(b, spec) : null;
    long withUser = ns.withNewUser();
    if (withUser == 0) {
      ProcessSteps.prologue(b, ch);
      ProcessSteps.joinNamespaces(b, in.joinFds(), ns.joins());
    } else {
      ProcessSteps.signals(b, ProcessSteps.ignoredSignals());
      // joins first, still in the runtime's user namespace, as runc's nsexec: a namespace that
      // user namespace owns (a pod's network namespace) cannot be joined from inside the new one
      ProcessSteps.joinNamespaces(b, in.joinFds(), ns.joins());
      ProcessSteps.unshareUserNamespace(b, ch, withUser);
    }
    // in its cgroup now (born there, or moved while it waited)
    ProcessAttributes.defaultAffinity(b);
    if (in.joinFds().containsKey("user")) {
      // root of the joined namespace (the runtime's uid 0 is unmapped there: files it made got
      // EOVERFLOW), before what it creates takes its owner from us
      becomeRoot(b);
    }
    long afterJoin = ns.afterUserJoin();
    if (afterJoin != 0) b.call(Sys.UNSHARE, afterJoin).describe("create the namespaces inside the joined user namespace");
    if (withUser != 0) {
      becomeRoot(b);
      mappedFsIds(b, spec);
      // its mqueue filesystem then belongs to root in the namespace (Namespaces.withNewUser)
      if (ns.ipcAfterUserSwitch()) b.call(Sys.UNSHARE, Clone.CLONE_NEWIPC).describe("create an IPC namespace");
    }
    // before the fork: the offsets file open above is this process's, and the fork's child is
    // born into the new time namespace
    if (ns.newTime()) timeNamespace(b, spec, offsets);
    int announce = -1;
    if (in.joinFds().containsKey("pid") || ((afterJoin | withUser) & Clone.CLONE_NEWPID) != 0) {
      // unshare and setns of a pid namespace hold for children only
      announce = ProcessSteps.forkIntoPidNamespace(b, ch);
      // the parent-death signal is not inherited across fork
      b.call(Sys.PRCTL, (long) Prctl.PR_SET_PDEATHSIG, (long) Signal.SIGKILL, 0L, 0L, 0L).describe("set the parent-death signal");
    }
    // a session and process group of its own, as runc's nsexec gives init (pgid = sid = 1 in a
    // new pid namespace, not 0 from outside it); a terminal's setsid then finds it done
    b.call(Sys.SETSID).allow(Errno.EPERM).describe("start a new session");
    if (ns.creates("cgroup")) {
      // Not a clone flag: a cgroup namespace's root is the cgroup its creator is in at that
      // moment. Without CLONE_INTO_CGROUP (systemd driver, v1) the parent moves us only while
      // we wait in step 3, so unsharing at clone would root the namespace in the runtime's own
      // cgroup (the container then sees "0::/../<scope>" and the runtime's limits), as runc's
      // nsexec also unshares it last.
      b.call(Sys.UNSHARE, Clone.CLONE_NEWCGROUP).describe("create a cgroup namespace");
    }
    if (in.namespaces().creates("network")) ProcessSteps.loopbackUp(b);
    // 5. names
    if (spec.hostname() != null && !spec.hostname().isEmpty()) {
      byte[] h = spec.hostname().getBytes(StandardCharsets.UTF_8);
      b.call(Sys.SETHOSTNAME, spec.hostname(), (long) h.length).describe("set hostname ", spec.hostname());
    }
    if (spec.domainname() != null && !spec.domainname().isEmpty()) {
      byte[] d = spec.domainname().getBytes(StandardCharsets.UTF_8);
      b.call(Sys.SETDOMAINNAME, spec.domainname(), (long) d.length).describe("set domainname ", spec.domainname());
    }
    if (!in.noNewKeyring()) {
      // KEYCTL_JOIN_SESSION_KEYRING: a keyring of its own, so containers don't share the host's
      b.call(Sys.KEYCTL, 1L, "_ses." + in.id(), 0L, 0L, 0L).allow(Errno.ENOSYS, Errno.EPERM)
          .describe("join a new session keyring");
    }
    // 6. root filesystem, with a pause for the create-phase hooks before pivot_root
    in.extra().rootfs(b, pb -> {
      if (in.hookPause()) {
        pb.call(Sys.WRITE, (long) ch.reportWrite(), pb.bytes(record(SpawnChannel.HOOKS)), 16L).describe("report the hooks point");
        ProcessSteps.waitForParent(pb, ch);
      }
    });
    b.call(Sys.CLOSE, ch.syncRead()).describe("close the sync pipe");
    // 7. process attributes
    ProcessAttributes.personality(b, spec.linux() == null ? null : spec.linux().personality());
    ProcessAttributes.memoryPolicy(b, spec.linux() == null ? null : spec.linux().memoryPolicy());
    ProcessAttributes.scheduler(b, proc.scheduler());
    ProcessAttributes.ioPriority(b, proc.ioPriority());
    ProcessSteps.rlimits(b, proc);
    ProcessSteps.fds(b, in.stdio(), in.preserveFds());
    // cwd as runc's finalizeNamespace: tried while still root (a directory only root may enter,
    // /root 0700 for a uid 42 process, stays the cwd), and again as the user only if root was
    // refused (rootless: the user may enter what the mapped root cannot)
    String cwd = proc.cwd() == null || proc.cwd().isEmpty() ? "/" : proc.cwd();
    Step cwdFd = b.call(Sys.OPENAT, (long) Open.AT_FDCWD, cwd, (long) (Open.O_PATH | Open.O_DIRECTORY | Open.O_CLOEXEC), 0L)
        .allow(Errno.EACCES, Errno.EPERM).describe("chdir to cwd ", cwd);
    b.call(Sys.FCHDIR, cwdFd).allow(Errno.EBADF).describe("chdir to cwd ", cwd);
    ProcessSteps.checkCwdInside(b, cwd);
    ProcessSteps.identity(b, proc, in.extra(), in.setgroups());
    Label inCwd = b.label();
    b.call(Sys.FCNTL, cwdFd, (long) Open.F_DUPFD_CLOEXEC, 0L).allow(Errno.EBADF).jumpIfPositive(inCwd)
        .describe("check whether root entered cwd ", cwd);
    b.call(Sys.CHDIR, cwd).describe("chdir to cwd ", cwd);
    ProcessSteps.checkCwdInside(b, cwd);
    b.place(inCwd);
    if (in.fifoFd() >= 0) {
      b.call(Sys.PRCTL, (long) Prctl.PR_SET_PDEATHSIG, 0L, 0L, 0L, 0L).describe("clear the parent-death signal");
      ProcessSteps.checkExecutable(b, in.executable());
      untilStart(b);
    }
    in.extra().beforeReady(b);
    // 8. create/start rendezvous: after a no_new_privs filter only write, read and execve run
    if (in.fifoFd() >= 0) {
      b.call(Sys.WRITE, (long) ch.reportWrite(), b.bytes(record(SpawnChannel.READY)), 16L).describe("report ready");
      b.call(Sys.READ, b.inherit(in.fifoFd()), b.alloc(8), 1L).atLeast(1).describe("wait for start");
    }
    // 9. exec; after start, a failure is also said on the process's stderr, as runc's init says
    // it: a CLI create leaves no one to read the report (podman and docker show the line)
    Step exec = ProcessSteps.execute(b, in.extra(), in.executable(), proc);
    if (in.fifoFd() >= 0) exec.sayOnFailure("exec ".concat(in.executable()).concat(": "));
    return new Planned(b.build(), announce);
  }

  /** uid and gid 0 of the user namespace init is in (EINVAL where 0 is not mapped: left as they are). */
  private static void becomeRoot(ProgramBuilder b) {
    b.call(Sys.SETRESGID, 0L, 0L, 0L).allow(Errno.EINVAL).describe("become gid 0 in the user namespace");
    b.call(Sys.SETRESUID, 0L, 0L, 0L).allow(Errno.EINVAL).describe("become uid 0 in the user namespace");
  }

  /**
   * Without container uid (gid) 0 mapped, init cannot become root in its new user namespace
   * (setresuid's EINVAL, allowed above) and keeps the runtime's ids, unmapped there: every file
   * the setup made in a filesystem of that namespace (/dev/pts in the /dev tmpfs) failed with
   * EOVERFLOW. Its filesystem ids become mapped ones then: the process's own where mapped, else
   * the first mapped (runc's bats "userns without root mapping"). The capabilities stay: the
   * kernel drops the filesystem ones only when the fsuid leaves the namespace's root, which is
   * not mapped.
   */
  private static void mappedFsIds(ProgramBuilder b, Spec spec) {
    var u = spec.process().user();
    long uid = fsId(spec.linux().uidMappings(), u == null || u.uid() == null ? 0 : u.uid());
    long gid = fsId(spec.linux().gidMappings(), u == null || u.gid() == null ? 0 : u.gid());
    // setfs*id return the previous id, never an error: nothing to allow
    if (gid >= 0) b.call(Sys.SETFSGID, gid).describe("use a mapped gid (", gid, ") for the files the setup makes");
    if (uid >= 0) b.call(Sys.SETFSUID, uid).describe("use a mapped uid (", uid, ") for the files the setup makes");
  }

  /** -1 when container id 0 is mapped; else {@code wanted} if mapped, else the first mapped id. */
  static long fsId(List<LinuxIDMapping> maps, long wanted) {
    if (maps == null || maps.isEmpty() || mapped(maps, 0)) return -1;
    return mapped(maps, wanted) ? wanted : maps.get(0).containerID();
  }

  private static boolean mapped(List<LinuxIDMapping> maps, long id) {
    for (var m : maps) {
      if (m.containerID() != null && m.size() != null && id >= m.containerID() && id < m.containerID() + m.size()) return true;
    }
    return false;
  }

  /** The signals that end a created container's init before start (runc's Go init exits on them). */
  private static final int[] ENDING = {1, 2, 3, 10, 12, 14, 15}; // HUP INT QUIT USR1 USR2 ALRM TERM

  /**
   * Until start, init ends on the terminating signals (exit status 128 + signo): it is pid 1 of
   * its namespace, to which the kernel delivers only signals it handles (and SIGKILL), so
   * {@code kill} of a created container with SIGTERM did nothing (runc's init, a Go program,
   * exits). Installed before the seccomp filter; the execve after start sets them back to their
   * defaults, as it does every handled signal. The handler is the stub's own code.
   */
  private static void untilStart(ProgramBuilder b) {
    long exit = StubImage.signalExitAddress(b.arch());
    long act = b.stagedLongs(KernelSigaction.LAYOUT.byteSize(), KernelSigaction.FIELDS, KernelSigaction.handlerFields(exit, exit));
    long sigsetSize = KernelSigaction.SIGSET.byteSize();
    for (int sig : ENDING) {
      b.call(Sys.RT_SIGACTION, (long) sig, act, 0L, sigsetSize).describe("handle signal ", sig, " until start");
    }
  }

  /**
   * Makes a missing cwd (0755), as runc's MkdirAll inside the new root: right after the pivot,
   * before / or /dev turn read-only. EEXIST comes before EROFS, so an existing cwd is fine.
   */
  public static void createCwd(ProgramBuilder b, Process proc) {
    String cwd = proc.cwd() == null || proc.cwd().isEmpty() ? "/" : proc.cwd();
    StringBuilder prefix = new StringBuilder();
    for (String c : cwd.split("/")) {
      if (c.isEmpty() || c.equals(".")) continue;
      prefix.append('/').append(c);
      // ENOENT (a parent that cannot hold directories, /proc/self/fd/N say) is left to the
      // chdir, which names the cwd
      String dir = prefix.toString(); // the text now: the builder grows on
      b.call(Sys.MKDIRAT, (long) Open.AT_FDCWD, dir, 0755L).allow(Errno.EEXIST, Errno.ENOENT)
          .describe("create cwd ", dir);
    }
  }

  static byte[] record(long index) {
    byte[] r = new byte[16];
    java.nio.ByteBuffer.wrap(r).order(java.nio.ByteOrder.nativeOrder()).putLong(index).putLong(0);
    return r;
  }

  /**
   * Opens /proc/self/timens_offsets for {@link #timeNamespace}, first thing, while init is still
   * the runtime's user in the runtime's user namespace (null: no offsets to write). Opened later,
   * inside a user namespace, it failed with EACCES: a non-dumpable process's /proc files belong to
   * the host's root, unmapped there. The write's capability check (CAP_SYS_TIME over the new time
   * namespace's owner) is made with the opener's credentials, which hold it over any user
   * namespace the runtime makes or joins; runc's parent writes the offsets for the same reason.
   */
  private static Step openTimeOffsets(ProgramBuilder b, Spec spec) {
    Map<String, LinuxTimeOffset> offsets = spec.linux() == null ? null : spec.linux().timeOffsets();
    if (offsets == null || offsets.isEmpty()) return null;
    return b.call(Sys.OPENAT, (long) Open.AT_FDCWD, "/proc/self/timens_offsets", (long) (Open.O_WRONLY | Open.O_CLOEXEC), 0L)
        .describe("open /proc/self/timens_offsets");
  }

  private static void timeNamespace(ProgramBuilder b, Spec spec, Step offsetsFd) {
    b.call(Sys.UNSHARE, Clone.CLONE_NEWTIME).describe("create a time namespace");
    if (offsetsFd != null) {
      StringBuilder sb = new StringBuilder();
      for (var e : spec.linux().timeOffsets().entrySet()) {
        long s = e.getValue().secs() == null ? 0 : e.getValue().secs();
        long ns = e.getValue().nanosecs() == null ? 0 : e.getValue().nanosecs();
        sb.append(e.getKey()).append(' ').append(s).append(' ').append(ns).append('\n');
      }
      byte[] data = sb.toString().getBytes(StandardCharsets.US_ASCII);
      b.call(Sys.WRITE, offsetsFd, data, (long) data.length).describe("write time offsets ", sb.toString().trim().replace('\n', ','));
      b.call(Sys.CLOSE, offsetsFd).describe("close timens_offsets");
    }
    Step nsfd = b.call(Sys.OPENAT, (long) Open.AT_FDCWD, "/proc/self/ns/time_for_children", (long) (Open.O_RDONLY | Open.O_CLOEXEC), 0L)
        .describe("open /proc/self/ns/time_for_children");
    b.call(Sys.SETNS, nsfd, Clone.CLONE_NEWTIME).describe("enter the new time namespace");
    b.call(Sys.CLOSE, nsfd).describe("close the time namespace fd");
  }

}
