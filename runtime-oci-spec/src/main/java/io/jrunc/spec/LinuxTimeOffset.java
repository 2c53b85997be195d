package io.jrunc.spec;

/** A time namespace clock offset: secs (int64) and nanosecs (uint32). */
public record LinuxTimeOffset(Long secs, Long nanosecs) {
}
