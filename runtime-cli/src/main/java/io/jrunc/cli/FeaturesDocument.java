package io.jrunc.cli;

import io.jrunc.core.api.host.HostProbes;
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

  /** config.md "POSIX-platform Hooks", in the order the spec lists them: the validator's list. */
  public static final List<String> HOOKS = io.jrunc.spec.KnownValues.HOOKS;

  /** Mount options understood: the validator's list, which core's parser is tested against. */
  public static final List<String> MOUNT_OPTIONS = io.jrunc.spec.KnownValues.MOUNT_OPTIONS;

  /** config-linux.md namespace types. */
  public static final List<String> NAMESPACES =
      List.of("cgroup", "ipc", "mount", "network", "pid", "user", "uts", "time");

  /** capabilities(7) in number order, CAP_CHOWN (0) to CAP_CHECKPOINT_RESTORE (40, Linux 5.9): the validator's list. */
  public static final List<String> CAPABILITIES = io.jrunc.spec.KnownValues.CAPABILITIES;

  /** The document. */
  public static Features build() {
    Features.Linux linux =
        new Features.Linux(
            NAMESPACES,
            CAPABILITIES,
            // systemd's user instance is not supported (the D-Bus client talks to the system bus)
            new Features.Cgroup(true, true, true, false, true),
            HostProbes.seccomp(),
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
