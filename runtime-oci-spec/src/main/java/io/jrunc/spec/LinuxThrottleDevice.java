package io.jrunc.spec;

/** blkio per-device throttle, rate in bytes or IOs per second (uint64). */
public record LinuxThrottleDevice(Long major, Long minor, @Unsigned64 Long rate) {
}
