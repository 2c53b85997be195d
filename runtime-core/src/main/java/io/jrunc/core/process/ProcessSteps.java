package io.jrunc.core.process;


import io.jrunc.core.spawn.Label;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.sys.BoundedFile;
import io.jrunc.core.sys.Clone;
import io.jrunc.core.sys.CloneArgs;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.IfReq;
import io.jrunc.core.sys.KernelSigaction;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.Prctl;
import io.jrunc.core.sys.Rlimit;
import io.jrunc.core.sys.Signal;
import io.jrunc.core.sys.Socket;
import io.jrunc.core.sys.Sys;
import io.jrunc.spec.POSIXRlimit;
import io.jrunc.spec.Process;
import io.jrunc.spec.User;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import io.jrunc.core.sys.Memory;

/** Child-program pieces that the init and exec programs share. */
final class ProcessSteps {
  private ProcessSteps() {}

  /**
   * Resets signals (an ignored signal stays ignored across the stub's exec), asks for SIGKILL
   * when the parent dies, turns dumpable off, and waits for the parent.
   */
  static void prologue(ProgramBuilder b, SpawnChannel ch) {
    signals(b, ignoredSignals());
    b.call(Sys.PRCTL, (long) Prctl.PR_SET_DUMPABLE, 0L, 0L, 0L, 0L).describe("make the process non-dumpable");
    waitForParent(b, ch);
  }

  /**
   * The signals this process ignores (the {@code SigIgn} mask of /proc/self/status: bit n-1 for
   * signal n), which a child inherits through clone and exec; all of them when it cannot be read
   * (every handler is then reset, as if each were ignored). jrunc itself ignores none: its
   * handlers (the JVM's, SIGWINCH for a terminal relay, run's forwarding) are handlers.
   */
  static long ignoredSignals() {
    Long ahead = AHEAD.getAndSet(null);
    return ahead != null ? ahead : readIgnoredSignals();
  }

  /**
   * The mask {@link #readAhead} read, for the next compile only (null: none). A CLI create's
   * helper thread reads it while idle, before the compile is offered to it: /proc/self/status
   * read and parsed interpreted is ~0.4 ms of the compile that the clone waits for. The
   * dispositions do not change in between (the JVM set its own handlers before Main); a
   * long-lived JVM never reads ahead, and reads at each compile.
   */
  private static final java.util.concurrent.atomic.AtomicReference<Long> AHEAD =
      new java.util.concurrent.atomic.AtomicReference<>();

  /** Reads the ignored signals now, for the next compile (see {@link #AHEAD}). */
  static void readAhead() {
    AHEAD.set(readIgnoredSignals());
  }

  private static long readIgnoredSignals() {
    try {
      String s = BoundedFile.readKernelFile(Path.of("/proc/self/status"), BoundedFile.KERNEL_LIMIT);
      int at = s.indexOf("\nSigIgn:");
      int end = at < 0 ? -1 : s.indexOf('\n', at + 1);
      if (end > 0) return Long.parseUnsignedLong(s.substring(at + "\nSigIgn:".length(), end).strip(), 16);
    } catch (IOException | RuntimeException e) {
      // below: all
    }
    return -1L;
  }

  /**
   * The prologue's first part: every signal blocked while the ignored ones ({@code ignored}, see
   * {@link #ignoredSignals}) are reset, then unblocked; SIGKILL when the parent dies.
   */
  static void signals(ProgramBuilder b, long ignored) {
    // The parent's pipe ends, like every descriptor the program does not name, were closed
    // when the child left the JVM (Spawner).
    long sigsetSize = KernelSigaction.SIGSET.byteSize();
    // staged with the strings (ProgramBuilder.stagedLongs): no copies of their own
    long all = b.stagedLongs(sigsetSize, 0, -1L);
    long none = b.stagedLongs(sigsetSize, 0);
    b.call(Sys.RT_SIGPROCMASK, (long) Signal.SIG_SETMASK, all, 0L, sigsetSize).describe("block signals");
    // The program runs in the sealed stub, after the execveat that left the JVM: the kernel set
    // every signal with a handler back to its default then. What an exec keeps is an ignored
    // signal (SIG_IGN), inherited from whoever started this JVM (nohup, a shell's trap, an
    // engine): only those are reset, one step each, not all 62 (a cold create emits, encodes
    // and runs each step: ~0.4 ms for the 62).
    long dfl = b.stagedLongs(KernelSigaction.LAYOUT.byteSize(), KernelSigaction.FIELDS, KernelSigaction.defaultFields());
    for (int sig = 1; sig <= 64; sig++) {
      if (sig == Signal.SIGKILL || sig == Signal.SIGSTOP || (ignored & (1L << (sig - 1))) == 0) continue;
      b.call(Sys.RT_SIGACTION, (long) sig, dfl, 0L, sigsetSize).allow(Errno.EINVAL).describe("reset the handler of signal ", sig);
    }
    b.call(Sys.RT_SIGPROCMASK, (long) Signal.SIG_SETMASK, none, 0L, sigsetSize).describe("unblock signals");
    b.call(Sys.PRCTL, (long) Prctl.PR_SET_PDEATHSIG, (long) Signal.SIGKILL, 0L, 0L, 0L).describe("set the parent-death signal");
  }

  /**
   * The prologue of init in a new user namespace, after its joins: unshares {@code flags} (the
   * user namespace and those it owns), reports {@link SpawnChannel#USERNS} and waits while the
   * parent writes the maps (and moves network devices into the new network namespace).
   *
   * <p>Unshared here, not at clone: the stub was exec'd in the host's user namespace, so its mm
   * belongs to that namespace for good, and non-dumpable then keeps every process of the
   * container's user namespace out, even one holding CAP_SYS_PTRACE there. Cloned into the new
   * namespace and exec'd in it, the stub's mm belonged to the container's namespace: an exec'd
   * process with CAP_SYS_PTRACE could attach to a created init and rewrite its program before the
   * capability drop, seccomp and no_new_privs (runc's init also unshares after its exec).
   *
   * <p>Dumpable until the parent released it: an unprivileged parent writes setgroups, uid_map
   * and gid_map of its own dumpable process only (a non-dumpable one's /proc/PID files belong to
   * the host's root, and newuidmap refuses it as another user's). runc's nsexec turns dumpable on
   * around the map writes for the same reason. Nothing of the container runs before the release.
   */
  static void unshareUserNamespace(ProgramBuilder b, SpawnChannel ch, long flags) {
    b.call(Sys.UNSHARE, flags).describe("create a user namespace and the namespaces it owns");
    b.call(Sys.WRITE, (long) ch.reportWrite(), b.bytes(InitPlanner.record(SpawnChannel.USERNS)), 16L)
        .describe("report the new user namespace");
    waitForParent(b, ch);
    b.call(Sys.PRCTL, (long) Prctl.PR_SET_DUMPABLE, 0L, 0L, 0L, 0L).describe("make the process non-dumpable");
  }

  /**
   * Brings {@code lo} up in the network namespace init was cloned with, as runc's init does
   * before the hooks: a new namespace holds only a loopback interface and it is down, so without
   * this nothing in the container (nor in a pod sharing its namespace) reaches 127.0.0.1. A
   * joined namespace is whoever made it's to set up. {@code SIOCSIFFLAGS} on a socket of that
   * namespace, from inside it: no thread of the parent has to enter the namespace, and in a new
   * user namespace init holds CAP_NET_ADMIN over it (the namespace belongs to that user
   * namespace), so a rootless container gets a working lo as well.
   */
  static void loopbackUp(ProgramBuilder b) {
    Step sock = b.call(Sys.SOCKET, (long) Socket.AF_INET, (long) (Socket.SOCK_DGRAM | Socket.SOCK_CLOEXEC), 0L)
        .describe("open a socket to bring the loopback interface lo up");
    MemorySegment req = IfReq.writeFlags(b.alloc(IfReq.LAYOUT), "lo", IfReq.IFF_UP);
    b.call(Sys.IOCTL, sock, IfReq.SIOCSIFFLAGS, req).describe("bring the loopback interface lo up");
    b.call(Sys.CLOSE, sock).describe("close the socket that brought lo up");
  }

  /**
   * CVE-2024-21626: a cwd reached through a descriptor of the host ({@code /proc/self/fd/N})
   * lies outside the container's root, and getcwd(2) then returns "(unreachable)/..." instead
   * of an absolute path. Opening that result relative to an invalid directory fd fails (EBADF)
   * for exactly that case: an absolute path ignores the fd. runc's check and words.
   */
  static void checkCwdInside(ProgramBuilder b, String cwd) {
    MemorySegment buf = b.alloc(4097);
    String what = "current working directory is outside of container mount namespace root -- possible container breakout detected (cwd "
        + cwd + ")";
    b.call(Sys.GETCWD, buf, 4096L).describe(what);
    Step fd = b.call(Sys.OPENAT, -1L, buf, (long) (Open.O_PATH | Open.O_DIRECTORY | Open.O_CLOEXEC), 0L).describe(what);
    b.call(Sys.CLOSE, fd).describe("close the cwd check's fd");
  }

  /** Reads one byte of the sync pipe; EOF (the runtime died) fails the step. */
  static void waitForParent(ProgramBuilder b, SpawnChannel ch) {
    b.call(Sys.READ, ch.syncRead(), b.alloc(8), 1L).atLeast(1)
        .describe("wait for the runtime (it exited before the container was set up)");
  }

  /**
   * setns(pid) and unshare(CLONE_NEWPID) only affect children: the program clone3s with CLONE_PARENT, so the runtime
   * becomes the new process's parent (and can wait for it); the first child announces the
   * second's pid on the report pipe and exits. Returns the announcing step's index.
   */
  static int forkIntoPidNamespace(ProgramBuilder b, SpawnChannel ch) {
    // exit_signal 0: with CLONE_PARENT the caller's (SIGCHLD) is used
    MemorySegment args = CloneArgs.write(b.alloc(CloneArgs.LAYOUT), Clone.CLONE_PARENT, 0, 0, 0);
    Label parentSide = b.label();
    Step fork = b.call(Sys.CLONE3, args, args.byteSize()).jumpIfPositive(parentSide)
        .describe("fork into the container's pid namespace");
    Label childSide = b.label();
    // the child skips the parent's two steps (getpid is always positive: an unconditional jump)
    b.call(Sys.GETPID).jumpIfPositive(childSide).describe("getpid");
    b.place(parentSide);
    b.call(Sys.WRITE, (long) ch.reportWrite(), fork.reportSlot(), 16L).describe("announce the pid");
    b.call(Sys.EXIT_GROUP, 0L).describe("exit");
    b.place(childSide);
    return fork.index();
  }

  static void joinNamespaces(ProgramBuilder b, Map<String, Integer> fds, Map<String, String> paths) {
    for (var e : joinOrder(fds).entrySet()) {
      b.call(Sys.SETNS, b.inherit(e.getValue()), Namespaces.flag(e.getKey()))
          .describe("join the " + e.getKey() + " namespace " + paths.get(e.getKey()));
      b.call(Sys.CLOSE, (long) e.getValue()).describe("close the ", e.getKey(), " namespace fd");
    }
  }

  /**
   * The order of the joins: {@code fds}' own (user first, mount last), except that a namespace
   * which the joined user namespace does not own is joined before it, while the process still
   * holds the runtime's capabilities: inside that user namespace it has none over the runtime's
   * (or another) user namespace's network namespace, and the setns failed with EPERM (runc's
   * bats "userns join external namespaces [wrong userns owner]", runc's issue 4390; its nsexec
   * tries every join before the user namespace's and again after it). Those it owns come after
   * it, where a rootless runtime gets the capabilities to join them. Owners are asked of the
   * kernel (NS_GET_USERNS); one it does not name keeps its place.
   */
  static Map<String, Integer> joinOrder(Map<String, Integer> fds) {
    Integer user = fds.get("user");
    if (user == null || fds.size() == 1) return fds;
    String target = io.jrunc.core.sys.Libc.namespaceOf(user);
    Map<String, Integer> before = new java.util.LinkedHashMap<>();
    Map<String, Integer> after = new java.util.LinkedHashMap<>();
    for (var e : fds.entrySet()) {
      if (e.getKey().equals("user")) continue;
      String owner = io.jrunc.core.sys.Libc.userNamespaceOf(e.getValue());
      (target != null && owner != null && !owner.equals(target) ? before : after).put(e.getKey(), e.getValue());
    }
    if (before.isEmpty()) return fds;
    before.put("user", user);
    before.putAll(after);
    return before;
  }

  static void rlimits(ProgramBuilder b, Process proc) {
    if (proc.rlimits() == null) return;
    for (POSIXRlimit rl : proc.rlimits()) {
      long lim = b.stagedLongs(Rlimit.LAYOUT.byteSize(), Rlimit.FIELDS,
          Rlimit.fields(rl.soft() == null ? 0 : rl.soft(), rl.hard() == null ? 0 : rl.hard()));
      b.call(Sys.PRLIMIT64, 0L, (long) Rlimits.number(rl.type()), lim, 0L).describe("set rlimit ", rl.type());
    }
  }

  /** umask, groups, gid, uid with the capability steps around the switch, then no_new_privs. */
  static void identity(ProgramBuilder b, Process proc, InitPlanner.ChildSteps extra, boolean setgroupsAllowed) {
    User user = proc.user();
    long umask = user != null && user.umask() != null ? user.umask() : 022;
    b.call(Sys.UMASK, umask).describe("set umask");
    extra.beforeUserSwitch(b);
    long uid = user == null || user.uid() == null ? 0 : user.uid();
    long gid = user == null || user.gid() == null ? 0 : user.gid();
    List<Long> groups = user == null || user.additionalGids() == null ? List.of() : user.additionalGids();
    // each once, in their order: setgroups(2) keeps duplicates (id shows "5,5"); runc's list has none
    if (groups.size() > 1) groups = List.copyOf(new java.util.LinkedHashSet<>(groups));
    if (setgroupsAllowed || !groups.isEmpty()) {
      MemorySegment gl = b.alloc(4L * Math.max(1, groups.size()));
      for (int i = 0; i < groups.size(); i++) Memory.setInt(gl, 4L * i, groups.get(i).intValue());
      b.call(Sys.SETGROUPS, (long) groups.size(), gl).describe("set additional groups ", groups.size() <= 32 ? groups
          : groups.size() + " of them, " + groups.subList(0, 8) + "..."); // bounded: a message, not the list
    }
    b.call(Sys.SETRESGID, gid, gid, gid).describe("set gid ", gid);
    b.call(Sys.SETRESUID, uid, uid, uid).describe("set uid ", uid);
    extra.afterUserSwitch(b);
    if (Boolean.TRUE.equals(proc.noNewPrivileges())) {
      b.call(Sys.PRCTL, (long) Prctl.PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L).describe("set no_new_privs");
    }
  }

  /**
   * stdio, and every runtime fd above the preserved ones close-on-exec (CVE-2024-21626). Before
   * any seccomp filter is loaded: a profile need not allow dup3 or close_range (runtime-tools'
   * default one refuses close_range), as after runc's filter only the fifo and execve remain.
   */
  static void fds(ProgramBuilder b, int[] stdio, int preserveFds) {
    for (int i = 0; i < 3; i++) {
      if (stdio != null && stdio[i] >= 0) b.call(Sys.DUP3, b.inherit(stdio[i]), (long) i, 0L).describe("set up fd ", i);
    }
    b.inheritRange(3, preserveFds);
    b.call(Sys.CLOSE_RANGE, 3L + preserveFds, 0xffffffffL, (long) Open.CLOSE_RANGE_CLOEXEC)
        .describe("mark the runtime's file descriptors close-on-exec");
  }

  /**
   * Whether the kernel would exec {@code exe}, asked as the process (faccessat2 X_OK with
   * AT_EACCESS: its ids and capabilities) once its mounts, cwd and user are in place: a file on a
   * noexec mount (the parent's lookup goes through the host's path, where that mount is not) is
   * create's error, as runc's check before READY makes it ("exec /vol/x: permission denied"),
   * not a silent exit after start, whose caller has no one to hear it. ENOSYS (a kernel before
   * 5.8) and EPERM (only a seccomp rule says that; the kernel says EACCES) leave it to execve.
   */
  static void checkExecutable(ProgramBuilder b, String exe) {
    b.call(Sys.FACCESSAT2, (long) Open.AT_FDCWD, exe, (long) Open.X_OK, (long) Open.AT_EACCESS)
        .allow(Errno.ENOSYS, Errno.EPERM).describe("exec ", exe);
  }

  /** The last steps: whatever the plan puts right before execve, then execve (returned). */
  static Step execute(ProgramBuilder b, InitPlanner.ChildSteps extra, String exe, Process proc) {
    extra.beforeExec(b);
    List<String> env = proc.env() == null ? List.of() : proc.env();
    return b.call(Sys.EXECVE, exe, b.stringArray(proc.args()), b.stringArray(env)).describe("exec ", exe);
  }
}
