package io.jrunc.core.security;

import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.SysException;
import io.jrunc.spec.Linux;
import io.jrunc.spec.Process;
import io.jrunc.spec.Spec;
import io.jrunc.spec.State;

/**
 * Everything security for one container process, decided in the parent before the clone, with
 * one method per place in the child program. It fits {@code InitPlanner.ChildSteps}:
 *
 * <table>
 *   <caption>Hooks (runc's standard_init order)</caption>
 *   <tr><th>hook</th><th>emits</th></tr>
 *   <tr><td>{@link #beforeUserSwitch}</td><td>AppArmor/SELinux exec attrs (as root, before
 *       any filter); the seccomp filter when {@code noNewPrivileges} is false (it needs
 *       CAP_SYS_ADMIN, so before capabilities drop); bounding set; KEEPCAPS</td></tr>
 *   <tr><td>{@link #afterUserSwitch}</td><td>KEEPCAPS off, capset, ambient</td></tr>
 *   <tr><td>(lead)</td><td>no_new_privs when {@code noNewPrivileges}</td></tr>
 *   <tr><td>{@link #beforeReady}</td><td>the seccomp filter when {@code noNewPrivileges} is
 *       true. runc loads it before the exec-fifo wait, so that the {@code create} process is
 *       still there to take the NOTIFY listener fd; for {@code run} (no fifo) call it right
 *       before execve</td></tr>
 * </table>
 *
 * <p>With SCMP_ACT_NOTIFY and a {@link #handOffListener hand-off} asked for, the child
 * announces its listener fd on the spawn channel's report pipe right after loading the filter
 * and waits on a pipe of the plan's ({@link SeccompSetup#emitHandOff}). The parent passes
 * {@link #listenerStep()} to {@code Spawner.next} as an announcing step, calls
 * {@link #afterClone} (drops the child's end), and on that announcement
 * {@link #forwardListener} (copies the fd out of the child, gives it to
 * {@code listenerPath}, lets the child go on): at any point of the program, so a filter loaded
 * before the user switch works as one loaded before execve. Without a hand-off (hooks) the
 * filter has no listener and NOTIFY'd calls fail with ENOSYS.
 */
public final class SecurityPlan implements AutoCloseable {
  private final Spec spec;
  private final CompiledSeccomp seccomp;
  private final boolean noNewPrivileges;
  private final Capabilities.Sets caps;
  private final LsmSetup.Plan lsm;
  private int reportFd = -1; // the spawn channel's report pipe, with a hand-off
  private int[] ack; // {child's read end, our write end} of the hand-off pipe, or null
  private int listenerStep = -1;

  private SecurityPlan(Spec spec, CompiledSeccomp seccomp, boolean nnp, Capabilities.Sets caps, LsmSetup.Plan lsm) {
    this.spec = spec;
    this.seccomp = seccomp;
    this.noNewPrivileges = nnp;
    this.caps = caps;
    this.lsm = lsm;
  }

  /** Decides with this host's facts; every config error surfaces here, before any clone. */
  public static SecurityPlan prepare(Spec spec) throws SysException {
    return prepare(spec, null);
  }

  /**
   * As {@link #prepare(Spec)}; a compiled seccomp filter is kept in this JVM and in
   * {@code seccompCacheDir} (the state root; null: in memory only) for the next container with
   * the same profile ({@link SeccompCache}).
   */
  public static SecurityPlan prepare(Spec spec, java.nio.file.Path seccompCacheDir) throws SysException {
    return prepare(spec, LsmSetup.Host.current(), Capabilities.kernelLastCap(), seccompCacheDir);
  }

  public static SecurityPlan prepare(Spec spec, LsmSetup.Host host, int kernelLastCap) throws SysException {
    return prepare(spec, host, kernelLastCap, null);
  }

  private static SecurityPlan prepare(Spec spec, LsmSetup.Host host, int kernelLastCap,
      java.nio.file.Path seccompCacheDir) throws SysException {
    Process p = spec.process();
    Linux l = spec.linux();
    LsmSetup.Plan lsm = LsmSetup.plan(p, l, host);
    Capabilities.Sets caps = Capabilities.Sets.of(p == null ? null : p.capabilities(), kernelLastCap);
    CompiledSeccomp sc = l == null ? null : SeccompCache.compile(l.seccomp(), seccompCacheDir);
    boolean nnp = p != null && Boolean.TRUE.equals(p.noNewPrivileges());
    return new SecurityPlan(spec, sc, nnp, caps, lsm);
  }

  /**
   * Asks for the listener hand-off of a NOTIFY filter (no-op without one), before the program
   * is planned: the child announces the listener on {@code reportWriteFd}, the spawn channel's
   * report pipe.
   */
  public void handOffListener(int reportWriteFd) throws SysException {
    if (seccomp == null || !seccomp.usesNotify() || ack != null) return;
    reportFd = reportWriteFd;
    ack = Libc.pipe2(Open.O_CLOEXEC);
  }

  /** The program step whose announcement carries the child's listener fd; -1 without a hand-off. */
  public int listenerStep() {
    return listenerStep;
  }

  public CompiledSeccomp seccomp() {
    return seccomp;
  }

  public Capabilities.Sets capabilities() {
    return caps;
  }

  public LsmSetup.Plan lsm() {
    return lsm;
  }

  /** Mount data with the SELinux mount label, for the rootfs code. */
  public String mountData(String data) {
    return LsmSetup.mountData(data, lsm);
  }

  public void beforeUserSwitch(ProgramBuilder b) {
    LsmSetup.emitBeforeExec(b, lsm);
    if (seccomp != null && !noNewPrivileges) loadSeccomp(b);
    CapabilitySetup.emitBeforeUserSwitch(b, caps);
  }

  public void afterUserSwitch(ProgramBuilder b) {
    CapabilitySetup.emitAfterUserSwitch(b, caps);
  }

  public void beforeReady(ProgramBuilder b) {
    if (seccomp != null && noNewPrivileges) loadSeccomp(b);
  }

  private void loadSeccomp(ProgramBuilder b) {
    Step load = SeccompSetup.emit(b, seccomp, ack != null);
    if (ack != null) {
      listenerStep = load.index();
      SeccompSetup.emitHandOff(b, load, reportFd, ack[0]);
    }
  }

  /** After the clone: the child has its own copy of its end. */
  public void afterClone() {
    if (ack != null && ack[0] >= 0) {
      Libc.close(ack[0]);
      ack[0] = -1;
    }
  }

  /**
   * On the child's announcement of {@link #listenerStep()}: copies its listener fd
   * ({@code pidfd_getfd}), gives it to the agent at {@code linux.seccomp.listenerPath} with the
   * state, and lets the child go on. A failure leaves the child waiting (the caller kills it);
   * the agent's connect failure reads as runc's {@code failed to connect with seccomp agent
   * specified in the seccomp profile: ...}.
   *
   * @param childPid the process that loaded the filter (our child: its pid cannot be reused)
   * @param childFd the fd number it announced
   * @param pid the container process the state names ({@code pid} of ContainerProcessState)
   */
  public void forwardListener(int childPid, long childFd, State state, int pid) throws SysException {
    if (ack == null) throw new IllegalStateException("no seccomp listener hand-off was planned");
    int pidfd = Libc.pidfdOpen(childPid);
    if (pidfd < 0) throw new SysException("pidfd_open", "pid " + childPid, -pidfd);
    int fd;
    try {
      fd = Libc.pidfdGetfd(pidfd, (int) childFd);
    } catch (SysException e) {
      throw new SysException("copy the seccomp listener of pid " + childPid + " (pidfd_getfd)", "fd " + childFd, e.errno());
    } finally {
      Libc.close(pidfd);
    }
    try {
      SeccompNotify.send(spec.linux().seccomp().listenerPath(), fd, state, pid,
          spec.linux().seccomp().listenerMetadata());
    } finally {
      Libc.close(fd);
    }
    Libc.write(ack[1], new byte[] {1});
  }

  @Override
  public void close() {
    if (ack != null) {
      Libc.close(ack[0]);
      Libc.close(ack[1]);
      ack[0] = ack[1] = -1;
    }
  }
}
