package io.jrunc.core.container;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Sys;
import io.jrunc.spec.LinuxTimeOffset;
import io.jrunc.spec.POSIXRlimit;
import io.jrunc.spec.Process;
import io.jrunc.spec.Spec;
import io.jrunc.spec.User;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
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
 *   <tr><td>3</td><td>read the sync pipe</td><td>the parent writes uid/gid maps, joins the
 *       cgroup, sets oom_score_adj</td></tr>
 *   <tr><td>4</td><td>setns joins (user first); time namespace with its offsets; uid/gid 0
 *       in a new user namespace</td><td>namespaces before anything that depends on them</td></tr>
 *   <tr><td>5</td><td>hostname, domainname, session keyring</td><td></td></tr>
 *   <tr><td>6</td><td>root filesystem, pivot_root, masked/readonly paths</td><td></td></tr>
 *   <tr><td>7</td><td>rlimits, umask, user and capabilities, no_new_privs, cwd</td><td></td></tr>
 *   <tr><td>8</td><td>(create) clear PDEATHSIG, report READY, block on the exec fifo</td><td>the
 *       create process exits; start releases init</td></tr>
 *   <tr><td>9</td><td>stdio, close_range(CLOEXEC) above the preserved fds, seccomp, execve</td><td>no
 *       host fd reaches the container (CVE-2024-21626)</td></tr>
 * </table>
 */
public final class InitPlanner {
  private InitPlanner() {}

  private static final int PR_SET_PDEATHSIG = 1, PR_SET_DUMPABLE = 4, PR_SET_NO_NEW_PRIVS = 38;
  private static final int SIGKILL = 9, SIGSTOP = 19;
  private static final int CLOSE_RANGE_CLOEXEC = 1 << 2;

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
      ChildSteps extra) {}

  /** Steps other packages contribute (rootfs, capabilities, seccomp) at their places. */
  public interface ChildSteps {
    /** Builds the root filesystem and enters it; cwd is {@code /} afterwards. */
    void rootfs(ProgramBuilder b);

    /** Before the uid/gid switch (bounding set, keep-caps). */
    default void beforeUserSwitch(ProgramBuilder b) {}

    /** After the uid/gid switch (capset, ambient). */
    default void afterUserSwitch(ProgramBuilder b) {}

    /** Right before execve: LSM labels, then seccomp. */
    default void beforeExec(ProgramBuilder b) {}
  }

  public static ChildProgram plan(ProgramBuilder b, Inputs in) {
    Spec spec = in.spec();
    Process proc = spec.process();
    SpawnChannel ch = in.channel();

    // 1. our pipe ends; signals
    b.call(Sys.CLOSE, ch.reportRead()).describe("close the parent's report pipe");
    b.call(Sys.CLOSE, ch.syncWrite()).describe("close the parent's sync pipe");
    MemorySegment all = b.alloc(8);
    all.set(JAVA_LONG, 0, -1L);
    MemorySegment none = b.alloc(8);
    b.call(Sys.RT_SIGPROCMASK, 2L /* SIG_SETMASK */, all, 0L, 8L).describe("block signals");
    MemorySegment dfl = b.alloc(32); // struct kernel_sigaction {handler=SIG_DFL, flags, restorer, mask}
    for (int sig = 1; sig <= 64; sig++) {
      if (sig == SIGKILL || sig == SIGSTOP) continue;
      b.call(Sys.RT_SIGACTION, (long) sig, dfl, 0L, 8L).allow(Errno.EINVAL).describe("reset the handler of signal " + sig);
    }
    b.call(Sys.RT_SIGPROCMASK, 2L, none, 0L, 8L).describe("unblock signals");
    // 2. die with the creating process; not dumpable while set up
    b.call(Sys.PRCTL, (long) PR_SET_PDEATHSIG, (long) SIGKILL, 0L, 0L, 0L).describe("set the parent-death signal");
    b.call(Sys.PRCTL, (long) PR_SET_DUMPABLE, 0L, 0L, 0L, 0L).describe("make the init non-dumpable");
    // 3. wait for the parent
    b.call(Sys.READ, ch.syncRead(), b.alloc(8), 1L).atLeast(1).describe("wait for the runtime (it exited before the container was set up)");
    b.call(Sys.CLOSE, ch.syncRead()).describe("close the sync pipe");
    // 4. namespaces
    for (var e : in.joinFds().entrySet()) {
      b.call(Sys.SETNS, (long) e.getValue(), Namespaces.flag(e.getKey()))
          .describe("join the " + e.getKey() + " namespace " + in.namespaces().joins().get(e.getKey()));
      b.call(Sys.CLOSE, (long) e.getValue()).describe("close the " + e.getKey() + " namespace fd");
    }
    if (in.namespaces().creates("user")) {
      b.call(Sys.SETRESGID, 0L, 0L, 0L).allow(Errno.EINVAL).describe("become gid 0 in the user namespace");
      b.call(Sys.SETRESUID, 0L, 0L, 0L).allow(Errno.EINVAL).describe("become uid 0 in the user namespace");
    }
    if (in.namespaces().newTime()) timeNamespace(b, spec);
    // 5. names
    if (spec.hostname() != null && !spec.hostname().isEmpty()) {
      byte[] h = spec.hostname().getBytes(StandardCharsets.UTF_8);
      b.call(Sys.SETHOSTNAME, spec.hostname(), (long) h.length).describe("set hostname " + spec.hostname());
    }
    if (spec.domainname() != null && !spec.domainname().isEmpty()) {
      byte[] d = spec.domainname().getBytes(StandardCharsets.UTF_8);
      b.call(Sys.SETDOMAINNAME, spec.domainname(), (long) d.length).describe("set domainname " + spec.domainname());
    }
    if (!in.noNewKeyring()) {
      // KEYCTL_JOIN_SESSION_KEYRING: a keyring of its own, so containers don't share the host's
      b.call(Sys.KEYCTL, 1L, "_ses." + in.id(), 0L, 0L, 0L).allow(Errno.ENOSYS, Errno.EPERM)
          .describe("join a new session keyring");
    }
    // 6. root filesystem
    in.extra().rootfs(b);
    // 7. process attributes
    if (proc.rlimits() != null) {
      for (POSIXRlimit rl : proc.rlimits()) {
        MemorySegment lim = b.alloc(16);
        lim.set(JAVA_LONG, 0, rl.soft() == null ? 0 : rl.soft());
        lim.set(JAVA_LONG, 8, rl.hard() == null ? 0 : rl.hard());
        b.call(Sys.PRLIMIT64, 0L, (long) Rlimits.number(rl.type()), lim, 0L).describe("set rlimit " + rl.type());
      }
    }
    User user = proc.user();
    long umask = user != null && user.umask() != null ? user.umask() : 022;
    b.call(Sys.UMASK, umask).describe("set umask");
    in.extra().beforeUserSwitch(b);
    long uid = user == null || user.uid() == null ? 0 : user.uid();
    long gid = user == null || user.gid() == null ? 0 : user.gid();
    List<Long> groups = user == null || user.additionalGids() == null ? List.of() : user.additionalGids();
    boolean setgroupsAllowed = !in.namespaces().creates("user") || setgroupsAllowedInUserns(spec);
    if (setgroupsAllowed) {
      MemorySegment gl = b.alloc(4L * Math.max(1, groups.size()));
      for (int i = 0; i < groups.size(); i++) gl.setAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, i, groups.get(i).intValue());
      b.call(Sys.SETGROUPS, (long) groups.size(), gl).describe("set additional groups " + groups);
    } else if (!groups.isEmpty()) {
      b.call(Sys.SETGROUPS, (long) groups.size(), b.alloc(4)).describe("set additional groups " + groups);
    }
    b.call(Sys.SETRESGID, gid, gid, gid).describe("set gid " + gid);
    b.call(Sys.SETRESUID, uid, uid, uid).describe("set uid " + uid);
    in.extra().afterUserSwitch(b);
    if (Boolean.TRUE.equals(proc.noNewPrivileges())) {
      b.call(Sys.PRCTL, (long) PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L).describe("set no_new_privs");
    }
    String cwd = proc.cwd() == null || proc.cwd().isEmpty() ? "/" : proc.cwd();
    b.call(Sys.CHDIR, cwd).describe("chdir to cwd " + cwd);
    // 8. create/start rendezvous
    if (in.fifoFd() >= 0) {
      b.call(Sys.PRCTL, (long) PR_SET_PDEATHSIG, 0L, 0L, 0L, 0L).describe("clear the parent-death signal");
      b.call(Sys.WRITE, (long) ch.reportWrite(), b.bytes(readyRecord()), 16L).describe("report ready");
      b.call(Sys.READ, (long) in.fifoFd(), b.alloc(8), 1L).atLeast(1).describe("wait for start");
    }
    // 9. stdio, fds, exec
    int[] stdio = in.stdio();
    for (int i = 0; i < 3; i++) {
      if (stdio != null && stdio[i] >= 0) b.call(Sys.DUP3, (long) stdio[i], (long) i, 0L).describe("set up fd " + i);
    }
    b.call(Sys.CLOSE_RANGE, 3L + in.preserveFds(), 0xffffffffL, (long) CLOSE_RANGE_CLOEXEC)
        .describe("mark the runtime's file descriptors close-on-exec");
    in.extra().beforeExec(b);
    List<String> env = proc.env() == null ? List.of() : proc.env();
    b.call(Sys.EXECVE, in.executable(), b.stringArray(proc.args()), b.stringArray(env))
        .describe("exec " + in.executable());
    return b.build();
  }

  static byte[] readyRecord() {
    byte[] r = new byte[16];
    java.nio.ByteBuffer.wrap(r).order(java.nio.ByteOrder.nativeOrder()).putLong(SpawnChannel.READY).putLong(0);
    return r;
  }

  /** setgroups(2) is denied in a user namespace whose gid map was written without privilege. */
  private static boolean setgroupsAllowedInUserns(Spec spec) {
    return Libc.geteuid() == 0;
  }

  private static void timeNamespace(ProgramBuilder b, Spec spec) {
    b.call(Sys.UNSHARE, io.jrunc.core.spawn.Spawner.CLONE_NEWTIME).describe("create a time namespace");
    Map<String, LinuxTimeOffset> offsets = spec.linux() == null ? null : spec.linux().timeOffsets();
    if (offsets != null && !offsets.isEmpty()) {
      StringBuilder sb = new StringBuilder();
      for (var e : offsets.entrySet()) {
        long s = e.getValue().secs() == null ? 0 : e.getValue().secs();
        long ns = e.getValue().nanosecs() == null ? 0 : e.getValue().nanosecs();
        sb.append(e.getKey()).append(' ').append(s).append(' ').append(ns).append('\n');
      }
      byte[] data = sb.toString().getBytes(StandardCharsets.US_ASCII);
      Step fd = b.call(Sys.OPENAT, (long) Libc.AT_FDCWD, "/proc/self/timens_offsets", (long) (Libc.O_WRONLY | Libc.O_CLOEXEC), 0L)
          .describe("open /proc/self/timens_offsets");
      b.call(Sys.WRITE, fd, data, (long) data.length).describe("write time offsets " + sb.toString().trim().replace('\n', ','));
      b.call(Sys.CLOSE, fd).describe("close timens_offsets");
    }
    Step nsfd = b.call(Sys.OPENAT, (long) Libc.AT_FDCWD, "/proc/self/ns/time_for_children", (long) (Libc.O_RDONLY | Libc.O_CLOEXEC), 0L)
        .describe("open /proc/self/ns/time_for_children");
    b.call(Sys.SETNS, nsfd, io.jrunc.core.spawn.Spawner.CLONE_NEWTIME).describe("enter the new time namespace");
    b.call(Sys.CLOSE, nsfd).describe("close the time namespace fd");
  }
}
