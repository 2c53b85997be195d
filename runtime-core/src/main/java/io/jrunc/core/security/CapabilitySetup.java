package io.jrunc.core.security;

import static io.jrunc.core.sys.Prctl.PR_CAPBSET_DROP;
import static io.jrunc.core.sys.Prctl.PR_CAP_AMBIENT;
import static io.jrunc.core.sys.Prctl.PR_CAP_AMBIENT_CLEAR_ALL;
import static io.jrunc.core.sys.Prctl.PR_CAP_AMBIENT_RAISE;
import static io.jrunc.core.sys.Prctl.PR_SET_KEEPCAPS;
import static io.jrunc.core.sys.Prctl.PR_SET_NO_NEW_PRIVS;

import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.sys.CapUserData;
import io.jrunc.core.sys.CapUserHeader;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Sys;
import io.jrunc.spec.LinuxCapabilities;
import java.util.ArrayList;
import java.util.List;

/**
 * Emits the child's capability steps, split around the user switch the lead emits, in runc's
 * order (libcontainer/init_linux.go finalizeNamespace):
 *
 * <table>
 *   <caption>Order in the child program</caption>
 *   <tr><th>#</th><th>who</th><th>steps</th><th>why there</th></tr>
 *   <tr><td>1</td><td>{@link #emitBeforeUserSwitch}</td><td>{@code prctl(PR_CAPBSET_DROP, n)} for
 *       every n ≤ cap_last_cap not in {@code bounding}</td><td>needs CAP_SETPCAP, which a
 *       non-root user loses at setresuid</td></tr>
 *   <tr><td>2</td><td>{@link #emitBeforeUserSwitch}</td><td>{@code prctl(PR_SET_KEEPCAPS, 1)}</td>
 *       <td>keeps the permitted set across setresuid to a non-zero uid</td></tr>
 *   <tr><td>3</td><td>lead</td><td>setgroups, setresgid, setresuid (and chdir)</td><td></td></tr>
 *   <tr><td>4</td><td>{@link #emitAfterUserSwitch}</td><td>{@code prctl(PR_SET_KEEPCAPS, 0)}</td>
 *       <td>runc clears it again</td></tr>
 *   <tr><td>5</td><td>{@link #emitAfterUserSwitch}</td><td>{@code capset} v3: effective,
 *       permitted, inheritable</td><td>restores the effective set setresuid cleared</td></tr>
 *   <tr><td>6</td><td>{@link #emitAfterUserSwitch}</td><td>{@code prctl(PR_CAP_AMBIENT,
 *       CLEAR_ALL)}, then {@code RAISE} each ambient cap</td><td>ambient needs the cap in
 *       permitted and inheritable, so after capset</td></tr>
 * </table>
 *
 * <p>Absent {@code process.capabilities} means all sets empty, as in runc. Ambient capabilities
 * not both permitted and inheritable are skipped quietly, as runc skips them (the kernel would
 * refuse them with EPERM). {@link #emitNoNewPrivileges} goes after the
 * user switch and before the seccomp filter when {@code process.noNewPrivileges} is true.
 */
public final class CapabilitySetup {
  private CapabilitySetup() {}

  public static List<Step> emitBeforeUserSwitch(ProgramBuilder b, LinuxCapabilities caps) {
    return emitBeforeUserSwitch(b, Capabilities.Sets.of(caps, Capabilities.kernelLastCap()));
  }

  public static List<Step> emitBeforeUserSwitch(ProgramBuilder b, Capabilities.Sets s) {
    List<Step> steps = new ArrayList<>();
    for (int n = 0; n <= s.lastCap(); n++) {
      if ((s.bounding() & (1L << n)) != 0) continue;
      // EINVAL: a capability this kernel does not have, nothing to drop (as gocapability does)
      steps.add(b.call(Sys.PRCTL, PR_CAPBSET_DROP, (long) n, 0L, 0L, 0L)
          .allow(Errno.EINVAL).describe("drop ", Capabilities.name(n), " from the bounding set"));
    }
    steps.add(b.call(Sys.PRCTL, PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L)
        .describe("keep capabilities across the user switch (prctl PR_SET_KEEPCAPS)"));
    return steps;
  }

  public static List<Step> emitAfterUserSwitch(ProgramBuilder b, LinuxCapabilities caps) {
    return emitAfterUserSwitch(b, Capabilities.Sets.of(caps, Capabilities.kernelLastCap()));
  }

  public static List<Step> emitAfterUserSwitch(ProgramBuilder b, Capabilities.Sets s) {
    List<Step> steps = new ArrayList<>();
    steps.add(b.call(Sys.PRCTL, PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L)
        .describe("clear PR_SET_KEEPCAPS after the user switch"));
    long hdr = b.stagedInts(CapUserHeader.LAYOUT.byteSize(), CapUserHeader.FIELDS, CapUserHeader.v3Fields());
    long data = b.stagedInts(CapUserData.V3.byteSize(), CapUserData.FIELDS,
        CapUserData.v3Fields(s.effective(), s.permitted(), s.inheritable()));
    // by hand: String.format's first call costs ~1 ms of a CLI create (its parser's classes)
    steps.add(b.call(Sys.CAPSET, hdr, data).describe("set capabilities (capset effective=0x"
        + Long.toHexString(s.effective()) + " permitted=0x" + Long.toHexString(s.permitted()) + " inheritable=0x"
        + Long.toHexString(s.inheritable()) + ")"));
    steps.add(b.call(Sys.PRCTL, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0L, 0L, 0L)
        .describe("clear the ambient capability set"));
    // An ambient capability not both permitted and inheritable is skipped: the kernel refuses it
    // (capabilities(7)); runc skips them quietly too, and runc's default spec asks for ambient
    // capabilities without inheritable ones. No log line either: its SLF4J bootstrap read ~35
    // classes from the jar on every create of such a config (a ~6 ms window in
    // -Xlog:class+load), and with descriptors exhausted failed as an internal error
    // (HostileInputTest).
    for (int n = 0; n <= s.lastCap(); n++) {
      if ((s.raisableAmbient() & (1L << n)) == 0) continue;
      steps.add(b.call(Sys.PRCTL, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (long) n, 0L, 0L)
          .describe("raise ambient capability ", Capabilities.name(n)));
    }
    return steps;
  }

  /** {@code prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)} for {@code process.noNewPrivileges}. */
  public static Step emitNoNewPrivileges(ProgramBuilder b) {
    return b.call(Sys.PRCTL, PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L).describe("set no_new_privs (prctl PR_SET_NO_NEW_PRIVS)");
  }
}
