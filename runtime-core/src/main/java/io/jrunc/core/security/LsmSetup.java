package io.jrunc.core.security;

import io.jrunc.core.log.Logs;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.Sys;
import io.jrunc.spec.Linux;
import io.jrunc.spec.Process;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * Linux security modules: AppArmor ({@code process.apparmorProfile}) and SELinux
 * ({@code process.selinuxLabel}, {@code linux.mountLabel}).
 *
 * <p>Both are applied "on exec": the child writes to its own {@code /proc/thread-self/attr/...}
 * file right before {@code execve}, and the kernel switches the domain at the exec (so the
 * runtime's own remaining steps are not confined by it).
 *
 * <table>
 *   <caption>Decisions (host facts are parameters, see {@link Host#detect})</caption>
 *   <tr><th>setting</th><th>LSM on</th><th>LSM off</th></tr>
 *   <tr><td>apparmorProfile</td><td>write {@code exec <profile>} to
 *       {@code /proc/thread-self/attr/apparmor/exec} (kernels before 5.8:
 *       {@code attr/exec})</td><td>error (as runc and podman), except the profile
 *       {@code unconfined}, which is what the process already is</td></tr>
 *   <tr><td>selinuxLabel</td><td>write the label to {@code /proc/thread-self/attr/exec}</td>
 *       <td>error, as runc: "selinux label is specified in config, but selinux is disabled or
 *       not supported"</td></tr>
 *   <tr><td>mountLabel</td><td>{@code context="<label>"} appended to the data of the mounts the
 *       rootfs code asks about ({@link #mountData})</td><td>ignored with a warning, as runc
 *       (go-selinux FormatMountLabel returns the data unchanged when SELinux is off): images
 *       and engines set it regardless of the host</td></tr>
 * </table>
 *
 * <p>Where the lead places {@link #emitBeforeExec}: after the user switch and capabilities,
 * before the seccomp step when that one goes last (no_new_privs), so that the profile needs
 * not allow the {@code openat}/{@code write} of the attr file; {@code /proc} must be the
 * container's procfs by then (it is mounted during rootfs setup).
 */
public final class LsmSetup {
  /** Looked up when a line is written: SLF4J's bootstrap costs ~0.5 ms of a CLI exec or create. */
  private static Logger log() {
    return Logs.get(LsmSetup.class);
  }

  private LsmSetup() {}

  /**
   * What the host offers.
   *
   * @param apparmor         AppArmor enabled: securityfs has {@code apparmor/} and
   *                         {@code /sys/module/apparmor/parameters/enabled} starts with Y
   * @param apparmorAttrDir  the kernel has the per-LSM {@code attr/apparmor/} directory (5.8+)
   * @param selinux          SELinux enabled: selinuxfs mounted ({@code /sys/fs/selinux/enforce})
   */
  public record Host(boolean apparmor, boolean apparmorAttrDir, boolean selinux) {
    /**
     * This host's, read once per JVM: whether AppArmor and SELinux are enabled is fixed at boot
     * (AppArmor's {@code enabled} parameter is read-only once booted, and SELinux cannot be
     * disabled at run time since Linux 6.4), and create asked on every container (five file
     * look-ups).
     */
    public static Host current() {
      return Current.HOST;
    }

    private static final class Current {
      static final Host HOST = detect();
    }

    public static Host detect() {
      boolean aa = Files.isDirectory(Path.of("/sys/kernel/security/apparmor"))
          && firstByteIsY(Path.of("/sys/module/apparmor/parameters/enabled"));
      boolean dir = Files.exists(Path.of("/proc/self/attr/apparmor/exec"));
      boolean se = Files.exists(Path.of("/sys/fs/selinux/enforce")) || Files.exists(Path.of("/selinux/enforce"));
      return new Host(aa, dir, se);
    }

    private static boolean firstByteIsY(Path p) {
      // FileInputStream, not Files.readString: sysfs/procfs files report size 0.
      try (var in = new FileInputStream(p.toFile())) {
        return in.read() == 'Y';
      } catch (IOException e) {
        return false;
      }
    }
  }

  /** What to apply; null fields mean nothing to do. */
  public record Plan(String apparmorProfile, String selinuxLabel, String mountLabel, boolean apparmorAttrDir) {
    public boolean empty() {
      return apparmorProfile == null && selinuxLabel == null && mountLabel == null;
    }
  }

  /**
   * Decides what to apply.
   *
   * @throws SecurityConfigException when a profile or label is asked for and its LSM is off
   */
  public static Plan plan(Process process, Linux linux, Host host) {
    String aa = process == null ? null : blankToNull(process.apparmorProfile());
    String se = process == null ? null : blankToNull(process.selinuxLabel());
    String ml = linux == null ? null : blankToNull(linux.mountLabel());
    if (aa != null && !host.apparmor()) {
      if (aa.equals("unconfined")) {
        aa = null;
      } else {
        throw new SecurityConfigException("process.apparmorProfile: apparmor profile \"" + aa
            + "\" specified but AppArmor is not enabled on this system");
      }
    }
    if (se != null && !host.selinux()) {
      throw new SecurityConfigException(
          "process.selinuxLabel: selinux label is specified in config, but selinux is disabled or not supported");
    }
    if (ml != null && !host.selinux()) {
      log().warn("linux.mountLabel \"{}\" ignored: SELinux is not enabled on this system", ml);
      ml = null;
    }
    return new Plan(aa, se, ml, host.apparmorAttrDir());
  }

  /** The child's steps (openat, write, close per attribute); empty when nothing applies. */
  public static List<Step> emitBeforeExec(ProgramBuilder b, Plan plan) {
    List<Step> steps = new ArrayList<>();
    if (plan.apparmorProfile() != null) {
      String path = plan.apparmorAttrDir() ? "/proc/thread-self/attr/apparmor/exec" : "/proc/thread-self/attr/exec";
      writeAttr(b, steps, path, "exec " + plan.apparmorProfile(),
          "apply AppArmor profile " + plan.apparmorProfile());
    }
    if (plan.selinuxLabel() != null) {
      writeAttr(b, steps, "/proc/thread-self/attr/exec", plan.selinuxLabel(),
          "set SELinux exec label " + plan.selinuxLabel());
    }
    return steps;
  }

  private static void writeAttr(ProgramBuilder b, List<Step> steps, String path, String value, String what) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    Step fd = b.call(Sys.OPENAT, (long) Open.AT_FDCWD, path, (long) (Open.O_WRONLY | Open.O_CLOEXEC), 0L)
        .describe(what + ": open " + path);
    steps.add(fd);
    steps.add(b.call(Sys.WRITE, fd, bytes, (long) bytes.length).atLeast(bytes.length)
        .describe(what + ": write " + path));
    steps.add(b.call(Sys.CLOSE, fd).describe(what + ": close " + path));
  }

  /**
   * Mount data with the SELinux context option appended (go-selinux FormatMountLabel):
   * {@code data,context="<label>"}; {@code data} unchanged when the plan has no mount label.
   * runc applies it to the filesystems it creates (tmpfs, devpts, mqueue, ...), not to bind
   * mounts, proc, sysfs or cgroup.
   */
  public static String mountData(String data, Plan plan) {
    if (plan == null || plan.mountLabel() == null) return data;
    String opt = "context=\"" + plan.mountLabel() + "\"";
    return data == null || data.isEmpty() ? opt : data + "," + opt;
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
