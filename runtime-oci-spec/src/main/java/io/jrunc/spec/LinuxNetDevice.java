package io.jrunc.spec;

/** A host network device moved into the container; name is its name inside (default: unchanged). */
public record LinuxNetDevice(String name) {
}
