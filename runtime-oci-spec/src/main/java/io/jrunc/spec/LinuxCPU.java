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

    /** A copy with {@code shares} replaced. */
    public LinuxCPU withShares(Long shares) {
        return new LinuxCPU(shares, quota, burst, period, realtimeRuntime, realtimePeriod, cpus, mems, idle);
    }

    /** A copy with {@code quota} replaced. */
    public LinuxCPU withQuota(Long quota) {
        return new LinuxCPU(shares, quota, burst, period, realtimeRuntime, realtimePeriod, cpus, mems, idle);
    }

    /** A copy with {@code burst} replaced. */
    public LinuxCPU withBurst(Long burst) {
        return new LinuxCPU(shares, quota, burst, period, realtimeRuntime, realtimePeriod, cpus, mems, idle);
    }

    /** A copy with {@code period} replaced. */
    public LinuxCPU withPeriod(Long period) {
        return new LinuxCPU(shares, quota, burst, period, realtimeRuntime, realtimePeriod, cpus, mems, idle);
    }

    /** A copy with {@code realtimeRuntime} replaced. */
    public LinuxCPU withRealtimeRuntime(Long realtimeRuntime) {
        return new LinuxCPU(shares, quota, burst, period, realtimeRuntime, realtimePeriod, cpus, mems, idle);
    }

    /** A copy with {@code realtimePeriod} replaced. */
    public LinuxCPU withRealtimePeriod(Long realtimePeriod) {
        return new LinuxCPU(shares, quota, burst, period, realtimeRuntime, realtimePeriod, cpus, mems, idle);
    }

    /** A copy with {@code cpus} replaced. */
    public LinuxCPU withCpus(String cpus) {
        return new LinuxCPU(shares, quota, burst, period, realtimeRuntime, realtimePeriod, cpus, mems, idle);
    }

    /** A copy with {@code mems} replaced. */
    public LinuxCPU withMems(String mems) {
        return new LinuxCPU(shares, quota, burst, period, realtimeRuntime, realtimePeriod, cpus, mems, idle);
    }

    /** A copy with {@code idle} replaced. */
    public LinuxCPU withIdle(Long idle) {
        return new LinuxCPU(shares, quota, burst, period, realtimeRuntime, realtimePeriod, cpus, mems, idle);
    }
}
