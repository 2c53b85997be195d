/**
 * Seccomp, capabilities, no_new_privs, LSMs and user-namespace id maps. Everything is decided
 * and compiled in the parent (Java); the child only runs the steps emitted here.
 *
 * <table>
 *   <caption>Where each piece goes (runc's libcontainer/standard_init_linux.go order)</caption>
 *   <tr><th>when</th><th>who</th><th>call</th></tr>
 *   <tr><td>before planning</td><td>parent</td><td>{@code SeccompCompiler.compile(linux.seccomp)}
 *       (null = no filter), {@code LsmSetup.plan(process, linux, LsmSetup.Host.detect())},
 *       {@code Capabilities.Sets.of(process.capabilities, Capabilities.kernelLastCap())}: all
 *       config errors surface here, before any clone</td></tr>
 *   <tr><td>between clone and releasing the child</td><td>parent</td><td>{@code IdMapper.apply(pid,
 *       uidMappings, gidMappings, IdMapper.Host.detect())} when CLONE_NEWUSER</td></tr>
 *   <tr><td>rootfs setup</td><td>child (rootfs code)</td><td>{@code LsmSetup.mountData(data, plan)}
 *       for the filesystems it creates (tmpfs, devpts, mqueue)</td></tr>
 *   <tr><td>after rootfs, /proc mounted</td><td>child</td><td>{@code LsmSetup.emitBeforeExec(b, plan)}</td></tr>
 *   <tr><td>if seccomp and not noNewPrivileges</td><td>child</td><td>{@code SeccompSetup.emit(b, c)}
 *       (needs CAP_SYS_ADMIN, so before the capabilities are dropped), then
 *       {@code SeccompSetup.emitHandOff(b, step, report, ack)} if {@code c.usesNotify()}</td></tr>
 *   <tr><td></td><td>child</td><td>{@code CapabilitySetup.emitBeforeUserSwitch(b, sets)}</td></tr>
 *   <tr><td></td><td>child (lead)</td><td>setgroups, setresgid, setresuid, chdir</td></tr>
 *   <tr><td></td><td>child</td><td>{@code CapabilitySetup.emitAfterUserSwitch(b, sets)}</td></tr>
 *   <tr><td>if noNewPrivileges</td><td>child</td><td>{@code CapabilitySetup.emitNoNewPrivileges(b)}</td></tr>
 *   <tr><td>if seccomp and noNewPrivileges: last before execve</td><td>child</td><td>{@code
 *       SeccompSetup.emit(b, c)} (+ {@code emitHandOff}); only {@code execve} (and the
 *       hand-off's write/read) run under the filter</td></tr>
 *   <tr><td>when the child announced the listener fd</td><td>parent</td><td>{@code
 *       pidfd_getfd} of it, {@code SeccompNotify.send(listenerPath, fd, state, pid,
 *       listenerMetadata)}, close fd, release the child ({@code SecurityPlan.forwardListener})</td></tr>
 * </table>
 */
package io.jrunc.core.security;
