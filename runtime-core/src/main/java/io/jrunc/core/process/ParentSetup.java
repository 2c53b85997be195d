package io.jrunc.core.process;

import io.jrunc.core.failure.InvalidConfigFailure;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.network.NetDevices;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.SysException;
import io.jrunc.spec.Linux;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/** What the parent does for the child while it waits on the sync pipe. */
public final class ParentSetup {

  private ParentSetup() {}

  static final String NO_PRIVATE_NETNS = "unable to move network devices without a private NET namespace";

  public static void oomScoreAdj(int pid, Integer adj) throws SetupFailure {
    if (adj == null) return;
    Path p = Path.of("/proc", Integer.toString(pid), "oom_score_adj");
    try {
      Files.writeString(p, Integer.toString(adj));
    } catch (IOException e) {
      throw new SetupFailure("set oom_score_adj " + adj + ": " + e.getMessage(), 0, e);
    }
  }

  /**
   * Before anything is made: netDevices need a network namespace that is not the runtime's own.
   * The validator refuses a config without one; a joined path can still name ours.
   */
  public static void checkNetDevices(Linux linux, Namespaces ns) throws InvalidConfigFailure {
    if (linux == null || linux.netDevices() == null || linux.netDevices().isEmpty()) return;
    String joined = ns.joins().get("network");
    if (joined != null && sameFile(Path.of(joined), Path.of("/proc/self/ns/net"))) {
      throw new InvalidConfigFailure("config.json: /linux/netDevices: " + NO_PRIVATE_NETNS + " (" + joined
          + " is the runtime's own)");
    }
    if (joined == null && (ns.afterUserJoin() & io.jrunc.core.sys.Clone.CLONE_NEWNET) != 0) {
      // the namespace is made by init after it joined the user namespace, once released: the
      // devices are moved before that release, into a namespace that then does not exist yet
      throw new InvalidConfigFailure("config.json: /linux/netDevices: moving network devices into a new network"
          + " namespace of a user namespace joined by path is not supported by jrunc (join a network namespace by path too)");
    }
  }

  /**
   * Before anything is made: {@code net.*} sysctls need a network namespace that is not the
   * runtime's own (runc: "not allowed in host network namespace"). The validator
   * ({@code SysctlRules}) requires one; a joined path can still name ours, a fact of the host.
   */
  public static void checkSysctlNetns(Linux linux, Namespaces ns) throws InvalidConfigFailure {
    if (linux == null || linux.sysctl() == null) return;
    String joined = ns.joins().get("network");
    if (joined == null || !sameFile(Path.of(joined), Path.of("/proc/self/ns/net"))) return;
    for (String key : linux.sysctl().keySet()) {
      if ("network".equals(io.jrunc.spec.validate.SysctlRules.namespaceOf(key))) {
        throw new InvalidConfigFailure("config.json: /linux/sysctl/" + io.jrunc.spec.validate.Problem.escape(key)
            + ": sysctl \"" + key + "\" is not allowed in the host's network namespace (" + joined + " is the runtime's own)");
      }
    }
  }

  /**
   * Before anything is made: a hostname or domainname with a UTS namespace joined by a path that
   * names the runtime's own would rename the host (the validator only asks for a uts entry; runc
   * sets it there). Refused, naming why.
   */
  public static void checkUtsNotHosts(io.jrunc.spec.Spec spec, Namespaces ns) throws InvalidConfigFailure {
    String joined = ns.joins().get("uts");
    if (joined == null || !sameFile(Path.of(joined), Path.of("/proc/self/ns/uts"))) return;
    boolean host = spec.hostname() != null && !spec.hostname().isEmpty();
    if (host || (spec.domainname() != null && !spec.domainname().isEmpty())) {
      throw new InvalidConfigFailure("config.json: /" + (host ? "hostname" : "domainname") + ": setting it in the host's UTS"
          + " namespace is not allowed (" + joined + " is the runtime's own): it would rename the host");
    }
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Objects.equals(Files.getAttribute(a, "unix:ino"), Files.getAttribute(b, "unix:ino"))
          && Objects.equals(Files.getAttribute(a, "unix:dev"), Files.getAttribute(b, "unix:dev"));
    } catch (IOException | UnsupportedOperationException e) {
      return false; // opening the namespace reports a missing path with its own error
    }
  }

  /**
   * Moves {@code linux.netDevices} into the child's network namespace: the joined one
   * ({@code joinedFd}), or the one it was cloned with.
   */
  public static void netDevices(int pid, Linux linux, Integer joinedFd) throws SysException {
    if (linux == null || linux.netDevices() == null || linux.netDevices().isEmpty()) return;
    int fd = -1;
    try {
      fd = joinedFd != null ? joinedFd : Libc.open("/proc/" + pid + "/ns/net", Open.O_RDONLY | Open.O_CLOEXEC, 0);
      NetDevices.move(linux.netDevices(), fd);
    } finally {
      if (joinedFd == null && fd >= 0) Libc.close(fd);
    }
  }
}
