package io.jrunc.spec;

import java.util.List;
import java.util.Map;

/**
 * The {@code features} document (features.md, features-linux.md). A {@code null} list or
 * Boolean means "unknown" and is left out of the JSON; it is not the same as empty/false.
 */
public record Features(
        String ociVersionMin,
        String ociVersionMax,
        List<String> hooks,
        List<String> mountOptions,
        Linux linux,
        Map<String, String> annotations,
        List<String> potentiallyUnsafeConfigAnnotations) {

    /** Linux-specific features. */
    public record Linux(
            List<String> namespaces,
            List<String> capabilities,
            Cgroup cgroup,
            Seccomp seccomp,
            Apparmor apparmor,
            Selinux selinux,
            IntelRdt intelRdt,
            MemoryPolicy memoryPolicy,
            MountExtensions mountExtensions,
            NetDevices netDevices) {
    }

    /** Supported cgroup managers. */
    public record Cgroup(Boolean v1, Boolean v2, Boolean systemd, Boolean systemdUser, Boolean rdma) {
    }

    /** Seccomp support: known names and the flags the kernel/library supports. */
    public record Seccomp(
            Boolean enabled,
            List<String> actions,
            List<String> operators,
            List<String> archs,
            List<String> knownFlags,
            List<String> supportedFlags) {
    }

    public record Apparmor(Boolean enabled) {
    }

    public record Selinux(Boolean enabled) {
    }

    /** Intel RDT: enabled, schemata field and enableMonitoring support. */
    public record IntelRdt(Boolean enabled, Boolean schemata, Boolean monitoring) {
    }

    /** Recognised memory policy modes and flags. */
    public record MemoryPolicy(List<String> modes, List<String> flags) {
    }

    public record MountExtensions(IDMap idmap) {
    }

    public record IDMap(Boolean enabled) {
    }

    public record NetDevices(Boolean enabled) {
    }
}
