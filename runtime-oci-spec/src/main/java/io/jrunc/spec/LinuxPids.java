package io.jrunc.spec;

/** pids controller: limit (int64; 0 or -1 mean no limit). */
public record LinuxPids(Long limit) {
}
