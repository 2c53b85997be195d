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

    /** A copy with {@code limit} replaced. */
    public LinuxMemory withLimit(Long limit) {
        return new LinuxMemory(limit, reservation, swap, kernel, kernelTCP, swappiness, disableOOMKiller, useHierarchy, checkBeforeUpdate);
    }

    /** A copy with {@code reservation} replaced. */
    public LinuxMemory withReservation(Long reservation) {
        return new LinuxMemory(limit, reservation, swap, kernel, kernelTCP, swappiness, disableOOMKiller, useHierarchy, checkBeforeUpdate);
    }

    /** A copy with {@code swap} replaced. */
    public LinuxMemory withSwap(Long swap) {
        return new LinuxMemory(limit, reservation, swap, kernel, kernelTCP, swappiness, disableOOMKiller, useHierarchy, checkBeforeUpdate);
    }

    /** A copy with {@code kernel} replaced. */
    public LinuxMemory withKernel(Long kernel) {
        return new LinuxMemory(limit, reservation, swap, kernel, kernelTCP, swappiness, disableOOMKiller, useHierarchy, checkBeforeUpdate);
    }

    /** A copy with {@code kernelTCP} replaced. */
    public LinuxMemory withKernelTCP(Long kernelTCP) {
        return new LinuxMemory(limit, reservation, swap, kernel, kernelTCP, swappiness, disableOOMKiller, useHierarchy, checkBeforeUpdate);
    }

    /** A copy with {@code swappiness} replaced. */
    public LinuxMemory withSwappiness(Long swappiness) {
        return new LinuxMemory(limit, reservation, swap, kernel, kernelTCP, swappiness, disableOOMKiller, useHierarchy, checkBeforeUpdate);
    }

    /** A copy with {@code disableOOMKiller} replaced. */
    public LinuxMemory withDisableOOMKiller(Boolean disableOOMKiller) {
        return new LinuxMemory(limit, reservation, swap, kernel, kernelTCP, swappiness, disableOOMKiller, useHierarchy, checkBeforeUpdate);
    }

    /** A copy with {@code useHierarchy} replaced. */
    public LinuxMemory withUseHierarchy(Boolean useHierarchy) {
        return new LinuxMemory(limit, reservation, swap, kernel, kernelTCP, swappiness, disableOOMKiller, useHierarchy, checkBeforeUpdate);
    }

    /** A copy with {@code checkBeforeUpdate} replaced. */
    public LinuxMemory withCheckBeforeUpdate(Boolean checkBeforeUpdate) {
        return new LinuxMemory(limit, reservation, swap, kernel, kernelTCP, swappiness, disableOOMKiller, useHierarchy, checkBeforeUpdate);
    }
}
