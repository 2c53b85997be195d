package io.jrunc.spec;

/** A device node to create: type c, b, u or p; fileMode/uid/gid are uint32. */
public record LinuxDevice(String path, String type, Long major, Long minor, Long fileMode, Long uid, Long gid) {
}
