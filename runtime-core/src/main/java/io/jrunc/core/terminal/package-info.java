/**
 * Terminals and inherited file descriptors: what {@code process.terminal}, {@code
 * --console-socket}, {@code run -t}, {@code --pidfd-socket}, {@code NOTIFY_SOCKET} and
 * {@code LISTEN_FDS} mean for a container, as runc does them.
 *
 * <table>
 *   <caption>Where each piece goes</caption>
 *   <tr><th>piece</th><th>init program (create/run)</th><th>exec program</th><th>parent</th></tr>
 *   <tr><td>{@link io.jrunc.core.terminal.TerminalSetup#emit}</td><td>after pivot_root, before
 *       the root is remounted read-only (runc: after prepareRootfs, before finalizeRootfs);
 *       stdio must then not be dup'd over 0-2</td><td>after the namespace joins and after the
 *       fork into the pid namespace, before rlimits/identity</td><td>console socket fd from
 *       {@link io.jrunc.core.terminal.ConsoleSocket#connect} or
 *       {@link io.jrunc.core.terminal.TerminalRelay#childSocketFd}; closed in the parent after
 *       clone</td></tr>
 *   <tr><td>{@link io.jrunc.core.terminal.TerminalSetup#emitDevConsole}</td><td>right after
 *       emit</td><td>never</td><td></td></tr>
 *   <tr><td>{@link io.jrunc.core.terminal.TerminalSetup#emitOwner}</td><td colspan="2">before
 *       the uid switch, when the process uid is not 0</td><td></td></tr>
 *   <tr><td>{@link io.jrunc.core.terminal.PidfdSocket}</td><td></td><td></td><td>after clone
 *       (init: the CLONE_PIDFD fd, kind INIT; exec: pidfd_open of the announced pid, kind
 *       EXEC)</td></tr>
 *   <tr><td>{@link io.jrunc.core.terminal.NotifySocket}</td><td></td><td></td><td>create/run:
 *       prepare before planning (mount + env); start/run: bind before release, forward after</td></tr>
 *   <tr><td>{@link io.jrunc.core.terminal.ListenFds}</td><td>env entries + preserve count for
 *       close_range</td><td>not used (runc passes them to init only)</td><td>before planning</td></tr>
 * </table>
 */
package io.jrunc.core.terminal;
