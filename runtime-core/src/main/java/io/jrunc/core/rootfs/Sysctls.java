package io.jrunc.core.rootfs;

import io.jrunc.spec.LinuxNamespace;
import io.jrunc.spec.Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which {@code linux.sysctl} keys a container may set: only those of a namespace the container
 * does not share with the host (runc libcontainer/configs/validate: IPC keys need an IPC
 * namespace, {@code net.*} a network namespace that is not the host's, {@code kernel.domainname}
 * a UTS namespace; {@code kernel.hostname} conflicts with the {@code hostname} field).
 */
final class Sysctls {
  private Sysctls() {}

  private static final Set<String> IPC = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
      "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");

  /** The key in dotted form: sysctl(8) accepts {@code net/ipv4/ip_forward} too. */
  static String dotted(String key) {
    return key.indexOf('/') >= 0 ? key.replace('.', '\u0000').replace('/', '.').replace('\u0000', '/') : key;
  }

  /** The path under /proc/sys: dots become slashes (a slash-form key is taken as it is). */
  static String procPath(String key) {
    return key.indexOf('/') >= 0 ? key : key.replace('.', '/');
  }

  static void validate(Spec spec) {
    Map<String, String> sysctl = spec.linux() == null ? null : spec.linux().sysctl();
    if (sysctl == null || sysctl.isEmpty()) return;
    List<LinuxNamespace> ns = spec.linux().namespaces() == null ? List.of() : spec.linux().namespaces();
    for (Map.Entry<String, String> e : sysctl.entrySet()) {
      String raw = e.getKey();
      String where = "linux.sysctl[\"" + raw + "\"]";
      if (raw == null || raw.isEmpty()) throw new RootfsConfigException("linux.sysctl: empty key");
      String path = procPath(raw);
      for (String c : path.split("/", -1)) {
        if (c.isEmpty() || c.equals(".") || c.equals("..")) {
          throw new RootfsConfigException(where + ": not a valid sysctl name");
        }
      }
      if (e.getValue() == null) throw new RootfsConfigException(where + ": value is null");
      String key = dotted(raw);
      if (IPC.contains(key) || key.startsWith("fs.mqueue.")) {
        if (find(ns, "ipc") != null) continue;
        throw new RootfsConfigException(where + ": sysctl " + key + " is not allowed in the host's ipc namespace");
      }
      if (key.startsWith("net.")) {
        LinuxNamespace net = find(ns, "network");
        if (net != null && (net.path() == null || !isHostNetns(net.path()))) continue;
        throw new RootfsConfigException(where + ": sysctl " + key + " is not allowed in the host's network namespace");
      }
      if (find(ns, "uts") != null) {
        if (key.equals("kernel.domainname")) continue;
        if (key.equals("kernel.hostname")) {
          throw new RootfsConfigException(where + ": sysctl kernel.hostname is not allowed: it conflicts with the \"hostname\" field");
        }
      }
      throw new RootfsConfigException(where + ": sysctl " + key + " is not in a separate kernel namespace");
    }
  }

  private static LinuxNamespace find(List<LinuxNamespace> ns, String type) {
    for (LinuxNamespace n : ns) if (type.equals(n.type())) return n;
    return null;
  }

  /** True when the netns file is the host's own (same device and inode as /proc/self/ns/net). */
  private static boolean isHostNetns(String path) {
    try {
      Object a = Files.getAttribute(Path.of(path), "unix:ino");
      Object b = Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino");
      Object da = Files.getAttribute(Path.of(path), "unix:dev");
      Object db = Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:dev");
      return a.equals(b) && da.equals(db);
    } catch (IOException | UnsupportedOperationException e) {
      return false; // an unreadable path fails later, when the namespace is joined
    }
  }
}
