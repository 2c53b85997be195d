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

    /** A copy with {@code terminal} replaced. */
    public Process withTerminal(Boolean terminal) {
        return new Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, scheduler, selinuxLabel, ioPriority, execCPUAffinity);
    }

    /** A copy with {@code consoleSize} replaced. */
    public Process withConsoleSize(Box consoleSize) {
        return new Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, scheduler, selinuxLabel, ioPriority, execCPUAffinity);
    }

    /** A copy with {@code user} replaced. */
    public Process withUser(User user) {
        return new Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, scheduler, selinuxLabel, ioPriority, execCPUAffinity);
    }

    /** A copy with {@code args} replaced. */
    public Process withArgs(List<String> args) {
        return new Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, scheduler, selinuxLabel, ioPriority, execCPUAffinity);
    }

    /** A copy with {@code commandLine} replaced. */
    public Process withCommandLine(String commandLine) {
        return new Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, scheduler, selinuxLabel, ioPriority, execCPUAffinity);
    }

    /** A copy with {@code env} replaced. */
    public Process withEnv(List<String> env) {
        return new Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, scheduler, selinuxLabel, ioPriority, execCPUAffinity);
    }

    /** A copy with {@code cwd} replaced. */
    public Process withCwd(String cwd) {
        return new Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, scheduler, selinuxLabel, ioPriority, execCPUAffinity);
    }

    /** A copy with {@code capabilities} replaced. */
    public Process withCapabilities(LinuxCapabilities capabilities) {
        return new Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, scheduler, selinuxLabel, ioPriority, execCPUAffinity);
    }

    /** A copy with {@code rlimits} replaced. */
    public Process withRlimits(List<POSIXRlimit> rlimits) {
        return new Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, scheduler, selinuxLabel, ioPriority, execCPUAffinity);
    }

    /** A copy with {@code noNewPrivileges} replaced. */
    public Process withNoNewPrivileges(Boolean noNewPrivileges) {
        return new Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, scheduler, selinuxLabel, ioPriority, execCPUAffinity);
    }

    /** A copy with {@code apparmorProfile} replaced. */
    public Process withApparmorProfile(String apparmorProfile) {
        return new Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, scheduler, selinuxLabel, ioPriority, execCPUAffinity);
    }

    /** A copy with {@code oomScoreAdj} replaced. */
    public Process withOomScoreAdj(Integer oomScoreAdj) {
        return new Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, scheduler, selinuxLabel, ioPriority, execCPUAffinity);
    }

    /** A copy with {@code scheduler} replaced. */
    public Process withScheduler(Scheduler scheduler) {
        return new Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, scheduler, selinuxLabel, ioPriority, execCPUAffinity);
    }

    /** A copy with {@code selinuxLabel} replaced. */
    public Process withSelinuxLabel(String selinuxLabel) {
        return new Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, scheduler, selinuxLabel, ioPriority, execCPUAffinity);
    }

    /** A copy with {@code ioPriority} replaced. */
    public Process withIoPriority(LinuxIOPriority ioPriority) {
        return new Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, scheduler, selinuxLabel, ioPriority, execCPUAffinity);
    }

    /** A copy with {@code execCPUAffinity} replaced. */
    public Process withExecCPUAffinity(CPUAffinity execCPUAffinity) {
        return new Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, scheduler, selinuxLabel, ioPriority, execCPUAffinity);
    }
}
