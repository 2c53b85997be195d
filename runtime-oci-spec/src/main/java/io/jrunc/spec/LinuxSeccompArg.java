package io.jrunc.spec;

/** A seccomp argument comparison; value/valueTwo are uint64 (see {@link Unsigned64}). */
public record LinuxSeccompArg(Long index, @Unsigned64 Long value, @Unsigned64 Long valueTwo, String op) {
}
