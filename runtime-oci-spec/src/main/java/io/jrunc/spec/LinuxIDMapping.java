package io.jrunc.spec;

/** A uid/gid mapping range (all uint32). */
public record LinuxIDMapping(Long containerID, Long hostID, Long size) {
}
