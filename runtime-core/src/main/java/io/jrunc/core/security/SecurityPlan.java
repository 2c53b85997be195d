package io.jrunc.core.security;

import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.SysException;
import io.jrunc.core.sys.UnixSockets;
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
 * <p>With SCMP_ACT_NOTIFY the plan owns a socketpair: the child sends the listener fd on its
 * end right after loading the filter; after the clone the parent calls {@link #afterClone}
 * (drops its copy of the child's end) and, once the child reported ready,
 * {@link #forwardListener} (receives the fd, hands it to {@code listenerPath}).
 */
public final class SecurityPlan implements AutoCloseable {
  private final Spec spec;
  private final CompiledSeccomp seccomp;
  private final boolean noNewPrivileges;
  private final Capabilities.Sets caps;
  private final LsmSetup.Plan lsm;
  private final int[] notifyPair; // {parent end, child end} or null

  private SecurityPlan(Spec spec, CompiledSeccomp seccomp, boolean nnp, Capabilities.Sets caps, LsmSetup.Plan lsm,
      int[] notifyPair) {
    this.spec = spec;
    this.seccomp = seccomp;
    this.noNewPrivileges = nnp;
    this.caps = caps;
    this.lsm = lsm;
    this.notifyPair = notifyPair;
  }

  /** Decides with this host's facts; every config error surfaces here, before any clone. */
  public static SecurityPlan prepare(Spec spec) throws SysException {
    return prepare(spec, LsmSetup.Host.detect(), Capabilities.kernelLastCap());
  }

  public static SecurityPlan prepare(Spec spec, LsmSetup.Host host, int kernelLastCap) throws SysException {
    Process p = spec.process();
    Linux l = spec.linux();
    LsmSetup.Plan lsm = LsmSetup.plan(p, l, host);
    Capabilities.Sets caps = Capabilities.Sets.of(p == null ? null : p.capabilities(), kernelLastCap);
    CompiledSeccomp sc = l == null ? null : SeccompCompiler.compile(l.seccomp());
    boolean nnp = p != null && Boolean.TRUE.equals(p.noNewPrivileges());
    int[] pair = sc != null && sc.usesNotify() ? UnixSockets.socketpair() : null;
    return new SecurityPlan(spec, sc, nnp, caps, lsm, pair);
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
    Step load = SeccompSetup.emit(b, seccomp);
    if (notifyPair != null) {
      SeccompSetup.emitSendListener(b, load, notifyPair[1]);
      b.call(io.jrunc.core.sys.Sys.CLOSE, (long) notifyPair[1]).describe("close the seccomp hand-off socket");
    }
  }

  /** After the clone: the child has its own copy of its end. */
  public void afterClone() {
    if (notifyPair != null && notifyPair[1] >= 0) {
      Libc.close(notifyPair[1]);
      notifyPair[1] = -1;
    }
  }

  /**
   * Receives the listener fd the child sent and gives it to the agent at
   * {@code linux.seccomp.listenerPath}; no-op without NOTIFY. Blocks until the child has loaded
   * its filter (or died: then the receive fails).
   */
  public void forwardListener(State state, int pid) throws SysException {
    if (notifyPair == null) return;
    int fd = UnixSockets.recvFd(notifyPair[0]);
    try {
      SeccompNotify.send(spec.linux().seccomp().listenerPath(), fd, state, pid,
          spec.linux().seccomp().listenerMetadata());
    } finally {
      Libc.close(fd);
    }
  }

  @Override
  public void close() {
    if (notifyPair != null) {
      Libc.close(notifyPair[0]);
      if (notifyPair[1] >= 0) Libc.close(notifyPair[1]);
      notifyPair[0] = notifyPair[1] = -1;
    }
  }
}
