package io.jrunc.spec;

import java.util.List;

/** sched_setattr(2) input: policy SCHED_*, nice/priority int32, deadline fields in ns (uint64). */
public record Scheduler(
        String policy,
        Integer nice,
        Integer priority,
        List<String> flags,
        @Unsigned64 Long runtime,
        @Unsigned64 Long deadline,
        @Unsigned64 Long period) {
}
