package io.jrunc.spec;

/** net_prio priority of one interface (uint32). */
public record LinuxInterfacePriority(String name, Long priority) {
}
