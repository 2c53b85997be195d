package io.jrunc.core.security;

import io.jrunc.core.log.Logs;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.ProcWrite;
import io.jrunc.core.sys.SysException;
import io.jrunc.spec.LinuxIDMapping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Writes a new user namespace's id maps from the parent, while the child (cloned with
 * CLONE_NEWUSER) waits on the sync pipe. runc's rules (libcontainer/nsenter/nsexec.c,
 * container_linux.go):
 *
 * <table>
 *   <caption>Order and fallbacks</caption>
 *   <tr><th>#</th><th>what</th><th>when</th></tr>
 *   <tr><td>1</td><td>{@code deny} → {@code /proc/<pid>/setgroups}</td><td>rootless (euid ≠ 0)
 *       and the gid map is exactly {@code 0 <egid> 1}: the kernel lets an unprivileged process
 *       write such a gid_map only after setgroups is denied. ENOENT (pre-3.19 kernel) is fine.</td></tr>
 *   <tr><td>2</td><td>{@code /proc/<pid>/uid_map}, one write of {@code "<container> <host> <size>\n"}
 *       lines</td><td>always tried first</td></tr>
 *   <tr><td>2b</td><td>{@code newuidmap <pid> <container> <host> <size>...}</td><td>only if the
 *       write failed with EPERM (a non-root user mapping more than its own uid) and the tool
 *       was found on PATH (Debian package {@code uidmap}, ranges from /etc/subuid)</td></tr>
 *   <tr><td>3, 3b</td><td>the same for {@code gid_map} / {@code newgidmap}</td><td></td></tr>
 * </table>
 */
public final class IdMapper {
  /**
   * Looked up where a line is written, not kept in a static field: create and exec load this class
   * on every call, and the first getLogger of a JVM bootstraps SLF4J (~0.7 ms of a cold create).
   */
  private static Logger log() {
    return Logs.get(IdMapper.class);
  }

  private IdMapper() {}

  /** What the host offers: our effective ids and the mapping tools (null when not installed). */
  public record Host(int euid, int egid, String newuidmap, String newgidmap) {
    public static Host detect() {
      return new Host(Ids.euid(), Ids.egid(), which("newuidmap"), which("newgidmap"));
    }
  }

  /**
   * Writes the maps for {@code pid}. Null or empty lists leave that map unwritten.
   *
   * @throws SysException e.g. {@code write /proc/42/uid_map: operation not permitted (EPERM)}
   */
  public static void apply(int pid, List<LinuxIDMapping> uidMappings, List<LinuxIDMapping> gidMappings, Host host)
      throws SysException {
    boolean rootless = host.euid() != 0;
    if (setgroupsDenied(gidMappings, host)) {
      int rc = ProcWrite.writeOnce("/proc/" + pid + "/setgroups", "deny".getBytes(StandardCharsets.US_ASCII));
      if (rc < 0 && rc != -Errno.ENOENT) throw new SysException("write deny to", "/proc/" + pid + "/setgroups", -rc);
    }
    writeMap(pid, "uid_map", "linux.uidMappings", uidMappings, rootless, host.newuidmap());
    writeMap(pid, "gid_map", "linux.gidMappings", gidMappings, rootless, host.newgidmap());
  }

  /**
   * Whether {@link #apply} writes {@code deny} to setgroups: then the child's {@code setgroups}
   * fails with EPERM, so the planner must not emit it (runc skips it the same way).
   */
  public static boolean setgroupsDenied(List<LinuxIDMapping> gidMappings, Host host) {
    return host.euid() != 0 && ownGidOnly(gidMappings, host.egid());
  }

  /** The text the kernel wants: one {@code "<containerID> <hostID> <size>\n"} per range. */
  public static String format(List<LinuxIDMapping> maps, String jsonPath) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < maps.size(); i++) {
      LinuxIDMapping m = maps.get(i);
      if (m == null || m.containerID() == null || m.hostID() == null || m.size() == null) {
        throw new SecurityConfigException(jsonPath + "[" + i + "]: containerID, hostID and size are required");
      }
      sb.append(m.containerID()).append(' ').append(m.hostID()).append(' ').append(m.size()).append('\n');
    }
    return sb.toString();
  }

  /** runc's requiresRootOrMappingTool, negated: the gid map is just {@code 0 <egid> 1}. */
  static boolean ownGidOnly(List<LinuxIDMapping> gid, int egid) {
    if (gid == null || gid.size() != 1) return false;
    LinuxIDMapping m = gid.get(0);
    return m.containerID() != null && m.containerID() == 0 && m.hostID() != null
        && m.hostID() == Integer.toUnsignedLong(egid) && m.size() != null && m.size() == 1;
  }

  private static void writeMap(int pid, String file, String jsonPath, List<LinuxIDMapping> maps, boolean rootless,
      String tool) throws SysException {
    if (maps == null || maps.isEmpty()) return;
    String text = format(maps, jsonPath);
    String path = "/proc/" + pid + "/" + file;
    int rc = ProcWrite.writeOnce(path, text.getBytes(StandardCharsets.US_ASCII));
    if (rc == 0) return;
    if (rc != -Errno.EPERM || !rootless || tool == null) {
      String hint = rc == -Errno.EPERM && rootless
          ? " (mapping ids other than your own needs root or " + (file.startsWith("uid") ? "newuidmap" : "newgidmap")
              + ", package uidmap, and ranges in /etc/sub" + file.substring(0, 3) + ")"
          : "";
      throw new SysException("write " + jsonPath + " to", path + hint, -rc);
    }
    log().debug("writing {} got EPERM, trying {}", path, tool);
    runTool(tool, pid, maps);
  }

  private static void runTool(String tool, int pid, List<LinuxIDMapping> maps) throws SysException {
    List<String> cmd = new ArrayList<>();
    cmd.add(tool);
    cmd.add(Integer.toString(pid));
    for (LinuxIDMapping m : maps) {
      cmd.add(m.containerID().toString());
      cmd.add(m.hostID().toString());
      cmd.add(m.size().toString());
    }
    try {
      java.lang.Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE)
          .start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new SysException(String.join(" ", cmd), "(timed out after 30 s)", Errno.ETIMEDOUT);
      }
      if (p.exitValue() != 0) {
        throw new ToolException(String.join(" ", cmd) + ": exit status " + p.exitValue() + (out.isEmpty() ? "" : ": " + out));
      }
    } catch (IOException e) {
      throw new ToolException(String.join(" ", cmd) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ToolException(String.join(" ", cmd) + ": interrupted");
    }
  }

  /** newuidmap/newgidmap failed; the message carries the command and what it printed. */
  public static final class ToolException extends SysException {
    private final String message;

    ToolException(String message) {
      super(message, null, Errno.EPERM);
      this.message = message;
    }

    @Override
    public String getMessage() {
      return message;
    }
  }

  // ---- rootless detection -------------------------------------------------------------

  /**
   * {@code --rootless true|false|auto} as runc decides it (main.go shouldUseRootlessCgroupManager):
   * an explicit value wins; auto means rootless when euid ≠ 0; euid 0 outside a user namespace
   * is real root; euid 0 inside one is rootless only when systemd cgroups are used and the
   * systemd manager's owner uid is not 0 ({@code systemdOwnerUid}, null when unknown).
   *
   * @throws SecurityConfigException for a value other than true, false or auto
   */
  public static boolean rootless(String flag, int euid, boolean inUserNamespace, boolean systemdCgroup,
      Integer systemdOwnerUid) {
    String f = flag == null ? "auto" : flag;
    switch (f) {
      case "true":
        return true;
      case "false":
        return false;
      case "auto":
      case "":
        break;
      default:
        throw new SecurityConfigException("--rootless: invalid value \"" + flag + "\" (want true, false or auto)");
    }
    if (euid != 0) return true;
    if (!inUserNamespace) return false;
    if (systemdCgroup) return systemdOwnerUid != null && systemdOwnerUid != 0;
    return false;
  }

  /**
   * Whether {@code /proc/self/uid_map} shows a user namespace: the initial namespace maps
   * all of {@code 0 0 4294967295} (moby/sys/userns).
   */
  public static boolean inUserNamespace(String uidMap) {
    String[] f = words(uidMap);
    return !(f.length == 3 && f[0].equals("0") && f[1].equals("0") && f[2].equals("4294967295"));
  }

  /**
   * The words of {@code s} between runs of spaces, tabs and newlines ({@code trim().split("\\s+")}
   * without a regex: create reads uid_map and /proc/self/status on every call, and a cold JVM's
   * first {@code Pattern} compiles java.util.regex's classes in).
   */
  static String[] words(String s) {
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    int i = 0, n = s.length();
    while (i < n) {
      while (i < n && isSpace(s.charAt(i))) i++;
      int start = i;
      while (i < n && !isSpace(s.charAt(i))) i++;
      if (i > start) out.add(s.substring(start, i));
    }
    return out.isEmpty() ? new String[] {""} : out.toArray(new String[0]);
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
  }

  /**
   * {@link #inUserNamespace(String)} for this process, read once: a multithreaded process can
   * neither join nor create a user namespace ({@code setns} and {@code unshare} of
   * {@code CLONE_NEWUSER} fail with EINVAL), and a JVM has threads from its start, so the answer
   * holds for the JVM's life (create asked on every container).
   */
  public static boolean inUserNamespace() {
    return SelfUserNs.IN;
  }

  private static final class SelfUserNs {
    static final boolean IN = readInUserNamespace();
  }

  private static boolean readInUserNamespace() {
    try {
      return inUserNamespace(io.jrunc.core.sys.BoundedFile.readKernelFile(java.nio.file.Path.of("/proc/self/uid_map"), io.jrunc.core.sys.BoundedFile.KERNEL_LIMIT));
    } catch (IOException e) {
      return false; // no /proc/self/uid_map: no user namespaces in this kernel
    }
  }

  /**
   * This process's effective uid, from the {@code Uid:} line of {@code /proc/self/status} (real,
   * effective, saved, filesystem): no system call of ours, so create can plan while its first
   * downcall is still being linked. {@code geteuid(2)} where /proc cannot tell.
   */
  public static int effectiveUid() {
    try {
      return Ids.euid();
    } catch (IllegalStateException e) {
      return io.jrunc.core.sys.Libc.geteuid(); // no procfs here: ask the kernel
    }
  }

  static String which(String name) {
    String path = System.getenv("PATH");
    if (path == null || path.isEmpty()) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (String dir : path.split(":")) {
      if (dir.isEmpty()) continue;
      Path p = Path.of(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) return p.toString();
    }
    return null;
  }

  /** Effective ids, from /proc/self/status (no binding needed). */
  static final class Ids {
    static int euid() {
      return field("Uid:");
    }

    static int egid() {
      return field("Gid:");
    }

    private static int field(String key) {
      String status;
      try {
        status = io.jrunc.core.sys.BoundedFile.readKernelFile(java.nio.file.Path.of("/proc/self/status"), io.jrunc.core.sys.BoundedFile.KERNEL_LIMIT);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + key + " from /proc/self/status: " + e.getMessage(), e);
      }
      return field(status, key);
    }

    /** The effective (second) id of the {@code key} line ("Uid:", "Gid:": real, effective, saved, fs) of a status text. */
    static int field(String status, String key) {
      for (String line : status.split("\n")) {
        if (!line.startsWith(key)) continue;
        try {
          return Integer.parseUnsignedInt(words(line.substring(key.length()))[1]);
        } catch (RuntimeException e) {
          throw new IllegalStateException("bad " + key + " line in /proc/self/status: " + line, e);
        }
      }
      throw new IllegalStateException("no " + key + " line in /proc/self/status");
    }
  }
}
