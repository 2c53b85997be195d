/**
 * What a host-side client of the runtime needs besides the container verbs of
 * {@code io.jrunc.core.api}: the pieces a front end (the CLI) or a supervisor (the containerd
 * shim) runs in its own process, around create and exec, without reaching into the runtime's
 * internals.
 *
 * <table>
 *   <caption>Classes</caption>
 *   <tr><th>class</th><th>for</th></tr>
 *   <tr><td>{@link io.jrunc.core.api.host.RootfsMounts}</td><td>an engine's image layers
 *       mounted onto the bundle's rootfs (mount(8) options) and unmounted again</td></tr>
 *   <tr><td>{@link io.jrunc.core.api.host.ChildReaper}</td><td>a child subreaper's session,
 *       exit codes of watched children by pidfd, and orphans reaped</td></tr>
 *   <tr><td>{@link io.jrunc.core.api.host.HostFd}</td><td>close-on-exec pipes and held FIFOs
 *       for a process's stdio, safe to close from another thread</td></tr>
 *   <tr><td>{@link io.jrunc.core.api.host.Terminal}</td><td>the console socket's other end:
 *       receive the pty master, relay it, resize it; runc's terminal flag rules</td></tr>
 *   <tr><td>{@link io.jrunc.core.api.host.LimitedFiles}</td><td>JSON and kernel files read
 *       within the runtime's size limits, refusing FIFOs and devices</td></tr>
 *   <tr><td>{@link io.jrunc.core.api.host.HostProbes}</td><td>seccomp features, user
 *       namespace</td></tr>
 *   <tr><td>{@link io.jrunc.core.api.host.LoggerBinding}</td><td>the front end's own SLF4J
 *       logger factory for the runtime's loggers, instead of SLF4J's lookup</td></tr>
 * </table>
 *
 * <p>Failures are {@link java.io.IOException}s whose message names the operation, the path or
 * fd and the errno, e.g. {@code mount overlay overlay on /run/x/rootfs: no such device (ENODEV)}.
 */
package io.jrunc.core.api.host;
