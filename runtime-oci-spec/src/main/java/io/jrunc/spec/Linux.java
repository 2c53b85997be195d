package io.jrunc.spec;

import java.util.List;
import java.util.Map;

/** The Linux section of config.json (config-linux.md). */
public record Linux(
        List<LinuxIDMapping> uidMappings,
        List<LinuxIDMapping> gidMappings,
        Map<String, String> sysctl,
        LinuxResources resources,
        String cgroupsPath,
        List<LinuxNamespace> namespaces,
        List<LinuxDevice> devices,
        /** Keyed by the host interface name. */
        Map<String, LinuxNetDevice> netDevices,
        LinuxSeccomp seccomp,
        String rootfsPropagation,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        String mountLabel,
        LinuxIntelRdt intelRdt,
        LinuxPersonality personality,
        /** Keyed by clock: "monotonic" or "boottime". */
        Map<String, LinuxTimeOffset> timeOffsets,
        LinuxMemoryPolicy memoryPolicy) {

    /** A copy with {@code uidMappings} replaced. */
    public Linux withUidMappings(List<LinuxIDMapping> uidMappings) {
        return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, netDevices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality, timeOffsets, memoryPolicy);
    }

    /** A copy with {@code gidMappings} replaced. */
    public Linux withGidMappings(List<LinuxIDMapping> gidMappings) {
        return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, netDevices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality, timeOffsets, memoryPolicy);
    }

    /** A copy with {@code sysctl} replaced. */
    public Linux withSysctl(Map<String, String> sysctl) {
        return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, netDevices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality, timeOffsets, memoryPolicy);
    }

    /** A copy with {@code resources} replaced. */
    public Linux withResources(LinuxResources resources) {
        return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, netDevices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality, timeOffsets, memoryPolicy);
    }

    /** A copy with {@code cgroupsPath} replaced. */
    public Linux withCgroupsPath(String cgroupsPath) {
        return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, netDevices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality, timeOffsets, memoryPolicy);
    }

    /** A copy with {@code namespaces} replaced. */
    public Linux withNamespaces(List<LinuxNamespace> namespaces) {
        return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, netDevices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality, timeOffsets, memoryPolicy);
    }

    /** A copy with {@code devices} replaced. */
    public Linux withDevices(List<LinuxDevice> devices) {
        return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, netDevices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality, timeOffsets, memoryPolicy);
    }

    /** A copy with {@code netDevices} replaced. */
    public Linux withNetDevices(Map<String, LinuxNetDevice> netDevices) {
        return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, netDevices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality, timeOffsets, memoryPolicy);
    }

    /** A copy with {@code seccomp} replaced. */
    public Linux withSeccomp(LinuxSeccomp seccomp) {
        return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, netDevices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality, timeOffsets, memoryPolicy);
    }

    /** A copy with {@code rootfsPropagation} replaced. */
    public Linux withRootfsPropagation(String rootfsPropagation) {
        return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, netDevices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality, timeOffsets, memoryPolicy);
    }

    /** A copy with {@code maskedPaths} replaced. */
    public Linux withMaskedPaths(List<String> maskedPaths) {
        return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, netDevices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality, timeOffsets, memoryPolicy);
    }

    /** A copy with {@code readonlyPaths} replaced. */
    public Linux withReadonlyPaths(List<String> readonlyPaths) {
        return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, netDevices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality, timeOffsets, memoryPolicy);
    }

    /** A copy with {@code mountLabel} replaced. */
    public Linux withMountLabel(String mountLabel) {
        return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, netDevices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality, timeOffsets, memoryPolicy);
    }

    /** A copy with {@code intelRdt} replaced. */
    public Linux withIntelRdt(LinuxIntelRdt intelRdt) {
        return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, netDevices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality, timeOffsets, memoryPolicy);
    }

    /** A copy with {@code personality} replaced. */
    public Linux withPersonality(LinuxPersonality personality) {
        return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, netDevices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality, timeOffsets, memoryPolicy);
    }

    /** A copy with {@code timeOffsets} replaced. */
    public Linux withTimeOffsets(Map<String, LinuxTimeOffset> timeOffsets) {
        return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, netDevices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality, timeOffsets, memoryPolicy);
    }

    /** A copy with {@code memoryPolicy} replaced. */
    public Linux withMemoryPolicy(LinuxMemoryPolicy memoryPolicy) {
        return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, netDevices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality, timeOffsets, memoryPolicy);
    }

  /**
   * Whether {@code cgroupsPath} has systemd's {@code slice:prefix:name} form, which only a
   * systemd cgroup driver writes (runc's {@code --systemd-cgroup}, containerd's CRI under a
   * systemd kubelet, Docker's systemd driver): exactly two colons and no slash ({@code
   * [^/:]*:[^/:]*:[^/:]*}, by hand: create checks every path, and a cold JVM's first regex
   * compiles java.util.regex's classes in). The cgroupfs driver refuses such a path; a shim that
   * is not told the engine's driver can take it from here.
   */
  public static boolean isSystemdCgroupsPath(String cgroupsPath) {
    if (cgroupsPath == null || cgroupsPath.indexOf('/') >= 0) return false;
    int colons = 0;
    for (int i = 0; i < cgroupsPath.length(); i++) if (cgroupsPath.charAt(i) == ':') colons++;
    return colons == 2;
  }

    /** The path of the {@code type} namespace the container joins, or null (none, or one it creates). */
    public String joinedNamespace(String type) {
        if (namespaces == null) {
            return null;
        }
        for (LinuxNamespace ns : namespaces) {
            if (type.equals(ns.type()) && ns.path() != null && !ns.path().isEmpty()) {
                return ns.path();
            }
        }
        return null;
    }
}
