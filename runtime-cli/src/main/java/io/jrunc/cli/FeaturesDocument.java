package io.jrunc.cli;

import io.jrunc.core.security.SeccompFeatures;
import io.jrunc.spec.Features;
import io.jrunc.spec.Json;
import java.util.List;

/**
 * What {@code jrunc features} reports (runtime-spec features.md). Engines gate behaviour on
 * this document (Docker adds a time namespace, containerd allows user-namespaced pods with
 * idmap mounts only when it is reported), so it must claim ONLY what the code does.
 *
 * <p>Intel RDT is reported as not enabled: create refuses configs that use it. Seccomp's
 * section comes from the installed libseccomp and this kernel (runc probes the
 * supported flags the same way).
 */
public final class FeaturesDocument {
  private FeaturesDocument() {}

  /** Oldest config.json version accepted. */
  public static final String OCI_VERSION_MIN = "1.0.0";

  /** Newest config.json version accepted. */
  public static final String OCI_VERSION_MAX = Version.SPEC_VERSION;

  /** config.md "POSIX-platform Hooks", in the order the spec lists them. */
  public static final List<String> HOOKS =
      List.of(
          "prestart",
          "createRuntime",
          "createContainer",
          "startContainer",
          "poststart",
          "poststop");

  /**
   * Mount options understood: mount(2) flags and their negations, propagation, and the
   * recursive forms applied with mount_setattr(2) (Linux 5.12), {@code tmpcopyup}, and the
   * id-mapped bind mounts {@code idmap}/{@code ridmap}.
   */
  public static final List<String> MOUNT_OPTIONS =
      List.of(
          "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec",
          "iversion", "lazytime", "loud", "mand", "noatime", "nodev", "nodiratime", "noexec",
          "noiversion", "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid",
          "nosymfollow", "private", "ratime", "rbind", "rdev", "rdiratime", "relatime",
          "remount", "rexec", "rnoatime", "rnodev", "rnodiratime", "rnoexec", "rnorelatime",
          "rnostrictatime", "rnosuid", "rnosymfollow", "ro", "rprivate", "rrelatime", "rro",
          "rrw", "rshared", "rslave", "rstrictatime", "rsuid", "rsymfollow", "runbindable",
          "rw", "shared", "silent", "slave", "strictatime", "suid", "symfollow", "sync",
          "tmpcopyup", "idmap", "ridmap", "unbindable");

  /** config-linux.md namespace types. */
  public static final List<String> NAMESPACES =
      List.of("cgroup", "ipc", "mount", "network", "pid", "user", "uts", "time");

  /** capabilities(7), CAP_CHOWN (0) to CAP_CHECKPOINT_RESTORE (40, Linux 5.9). */
  public static final List<String> CAPABILITIES =
      List.of(
          "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
          "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
          "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
          "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
          "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
          "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
          "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
          "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
          "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

  /** The document. */
  public static Features build() {
    boolean seccomp = SeccompFeatures.enabled();
    Features.Linux linux =
        new Features.Linux(
            NAMESPACES,
            CAPABILITIES,
            // systemd's user instance is not supported (the D-Bus client talks to the system bus)
            new Features.Cgroup(true, true, true, false, true),
            new Features.Seccomp(seccomp, SeccompFeatures.ACTIONS, SeccompFeatures.OPERATORS,
                seccomp ? SeccompFeatures.archs() : List.of(), SeccompFeatures.KNOWN_FLAGS,
                seccomp ? SeccompFeatures.supportedFlags() : List.of()),
            new Features.Apparmor(true),
            new Features.Selinux(true),
            new Features.IntelRdt(false, false, false),
            new Features.MemoryPolicy(
                List.of("MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
                    "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL"),
                List.of("MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES")),
            new Features.MountExtensions(new Features.IDMap(true)),
            new Features.NetDevices(true));
    return new Features(
        OCI_VERSION_MIN, OCI_VERSION_MAX, HOOKS, MOUNT_OPTIONS, linux, null, null);
  }

  /** The JSON as {@code jrunc features} prints it: four-space indent and a newline, like runc. */
  public static String json() {
    return Json.writeIndented(build(), "    ") + "\n";
  }
}
