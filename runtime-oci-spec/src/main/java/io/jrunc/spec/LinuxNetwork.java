package io.jrunc.spec;

import java.util.List;

/** net_cls classID (uint32) and net_prio priorities. */
public record LinuxNetwork(Long classID, List<LinuxInterfacePriority> priorities) {
}
