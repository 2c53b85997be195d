package io.jrunc.spec;

import java.util.List;

/** The seccomp filter (config-linux.md "seccomp"); defaultErrnoRet is uint. */
public record LinuxSeccomp(
        String defaultAction,
        Long defaultErrnoRet,
        List<String> architectures,
        List<String> flags,
        String listenerPath,
        String listenerMetadata,
        List<LinuxSyscall> syscalls) {
}
