package io.jrunc.spec;

/** An rlimit; hard/soft are uint64 (RLIM_INFINITY is -1L here, see {@link Unsigned64}). */
public record POSIXRlimit(String type, @Unsigned64 Long hard, @Unsigned64 Long soft) {
}
