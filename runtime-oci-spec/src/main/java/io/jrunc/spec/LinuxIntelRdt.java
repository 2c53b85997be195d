package io.jrunc.spec;

import com.fasterxml.jackson.annotation.JsonFormat;

import java.util.List;

/**
 * Intel RDT (resctrl). Since spec 1.3.0 {@code schemata} is an array of lines and
 * {@code enableMonitoring} replaces {@code enableCMT}/{@code enableMBM} (kept for older configs).
 * A single string for schemata (pre-1.3 drafts) is accepted as a one-line list.
 */
public record LinuxIntelRdt(
        String closID,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> schemata,
        String l3CacheSchema,
        String memBwSchema,
        Boolean enableCMT,
        Boolean enableMBM,
        Boolean enableMonitoring) {
}
