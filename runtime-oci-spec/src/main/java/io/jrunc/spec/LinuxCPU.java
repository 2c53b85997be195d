package io.jrunc.spec;

/** cpu / cpuset controller settings. */
public record LinuxCPU(
        @Unsigned64 Long shares,
        Long quota,
        @Unsigned64 Long burst,
        @Unsigned64 Long period,
        Long realtimeRuntime,
        @Unsigned64 Long realtimePeriod,
        String cpus,
        String mems,
        Long idle) {
}
