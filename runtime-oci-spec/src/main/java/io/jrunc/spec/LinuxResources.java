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

    /** A copy with {@code devices} replaced. */
    public LinuxResources withDevices(List<LinuxDeviceCgroup> devices) {
        return new LinuxResources(devices, memory, cpu, pids, blockIO, hugepageLimits, network, rdma, unified);
    }

    /** A copy with {@code memory} replaced. */
    public LinuxResources withMemory(LinuxMemory memory) {
        return new LinuxResources(devices, memory, cpu, pids, blockIO, hugepageLimits, network, rdma, unified);
    }

    /** A copy with {@code cpu} replaced. */
    public LinuxResources withCpu(LinuxCPU cpu) {
        return new LinuxResources(devices, memory, cpu, pids, blockIO, hugepageLimits, network, rdma, unified);
    }

    /** A copy with {@code pids} replaced. */
    public LinuxResources withPids(LinuxPids pids) {
        return new LinuxResources(devices, memory, cpu, pids, blockIO, hugepageLimits, network, rdma, unified);
    }

    /** A copy with {@code blockIO} replaced. */
    public LinuxResources withBlockIO(LinuxBlockIO blockIO) {
        return new LinuxResources(devices, memory, cpu, pids, blockIO, hugepageLimits, network, rdma, unified);
    }

    /** A copy with {@code hugepageLimits} replaced. */
    public LinuxResources withHugepageLimits(List<LinuxHugepageLimit> hugepageLimits) {
        return new LinuxResources(devices, memory, cpu, pids, blockIO, hugepageLimits, network, rdma, unified);
    }

    /** A copy with {@code network} replaced. */
    public LinuxResources withNetwork(LinuxNetwork network) {
        return new LinuxResources(devices, memory, cpu, pids, blockIO, hugepageLimits, network, rdma, unified);
    }

    /** A copy with {@code rdma} replaced. */
    public LinuxResources withRdma(Map<String, LinuxRdma> rdma) {
        return new LinuxResources(devices, memory, cpu, pids, blockIO, hugepageLimits, network, rdma, unified);
    }

    /** A copy with {@code unified} replaced. */
    public LinuxResources withUnified(Map<String, String> unified) {
        return new LinuxResources(devices, memory, cpu, pids, blockIO, hugepageLimits, network, rdma, unified);
    }
}
