package io.jrunc.spec;

/** A namespace to create ({@code path == null}) or join. Types: pid network mount ipc uts user cgroup time. */
public record LinuxNamespace(String type, String path) {
}
