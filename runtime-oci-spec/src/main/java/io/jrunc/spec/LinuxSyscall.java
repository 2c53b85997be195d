package io.jrunc.spec;

import java.util.List;

/** A seccomp rule: syscall names, action, optional errnoRet (uint) and argument matches. */
public record LinuxSyscall(List<String> names, String action, Long errnoRet, List<LinuxSeccompArg> args) {
}
