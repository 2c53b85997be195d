package io.jrunc.spec;

/** memory controller settings; byte values are int64 with -1 meaning unlimited. */
public record LinuxMemory(
        Long limit,
        Long reservation,
        Long swap,
        /** Deprecated by the spec (kernel 5.4 removed kmem limits). */
        Long kernel,
        Long kernelTCP,
        @Unsigned64 Long swappiness,
        Boolean disableOOMKiller,
        Boolean useHierarchy,
        Boolean checkBeforeUpdate) {
}
