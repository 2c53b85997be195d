package io.jrunc.spec;

/** A device cgroup rule: type a/c/b, null major/minor mean "*", access a subset of "rwm". */
public record LinuxDeviceCgroup(Boolean allow, String type, Long major, Long minor, String access) {
}
