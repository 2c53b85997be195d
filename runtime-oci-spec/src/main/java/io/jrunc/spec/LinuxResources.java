package io.jrunc.spec;

import java.util.List;
import java.util.Map;

/** Cgroup resource limits (config-linux.md "resources"). */
public record LinuxResources(
        List<LinuxDeviceCgroup> devices,
        LinuxMemory memory,
        LinuxCPU cpu,
        LinuxPids pids,
        LinuxBlockIO blockIO,
        List<LinuxHugepageLimit> hugepageLimits,
        LinuxNetwork network,
        /** Keyed by RDMA device name. */
        Map<String, LinuxRdma> rdma,
        /** cgroup v2 file name to value. */
        Map<String, String> unified) {
}
