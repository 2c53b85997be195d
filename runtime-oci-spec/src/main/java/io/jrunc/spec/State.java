package io.jrunc.spec;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.Map;

/**
 * The container state (runtime.md "state"), as printed by {@code state}. {@code rootfs},
 * {@code created} (RFC 3339) and {@code owner} are runc's extra fields, which tools parse.
 *
 * @param status creating, created, running, stopped (runc adds paused)
 * @param pid    the init process pid; runc writes 0 once stopped
 */
// Written in runc's field order so `state` output is byte-identical to runc's.
@JsonPropertyOrder({"ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "annotations", "owner"})
public record State(
        String ociVersion,
        String id,
        String status,
        Integer pid,
        String bundle,
        Map<String, String> annotations,
        String rootfs,
        String created,
        String owner) {

    public static final String CREATING = "creating";
    public static final String CREATED = "created";
    public static final String RUNNING = "running";
    public static final String STOPPED = "stopped";
    /** runc extension. */
    public static final String PAUSED = "paused";
}
