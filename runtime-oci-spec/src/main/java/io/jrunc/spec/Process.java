package io.jrunc.spec;

import java.util.List;

/** The container process (config.md "process"; also the {@code exec --process} file). */
public record Process(
        Boolean terminal,
        Box consoleSize,
        User user,
        List<String> args,
        /** Windows only; modelled because the spec defines it. */
        String commandLine,
        List<String> env,
        String cwd,
        LinuxCapabilities capabilities,
        List<POSIXRlimit> rlimits,
        Boolean noNewPrivileges,
        String apparmorProfile,
        Integer oomScoreAdj,
        Scheduler scheduler,
        String selinuxLabel,
        LinuxIOPriority ioPriority,
        CPUAffinity execCPUAffinity) {
}
