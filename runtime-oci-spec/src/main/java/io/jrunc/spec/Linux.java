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
}
