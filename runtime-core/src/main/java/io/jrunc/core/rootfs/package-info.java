/**
 * The container's root filesystem, planned in the parent and executed by the spawned child.
 *
 * <h2>Use (parent side)</h2>
 * <pre>{@code
 * RootfsSetup.validate(spec);                       // early: sysctl keys, mount options, devices
 * RootfsContext ctx = RootfsContext.of(spec, bundle)
 *     .withNoPivot(noPivot).withConsole(ptySlaveOrNull).withCgroupDirs(dirsOrNull);
 * try (RootfsSetup rootfs = RootfsSetup.plan(ctx)) { // reads mountinfo; prepares id-mapped mounts
 *   rootfs.emitPrepare(b);                           // mounts, devices, sysctl, readonly/masked paths
 *   // createRuntime/createContainer hook rendezvous may go here
 *   rootfs.emitPivot(b);                             // pivot_root (or move+chroot), /dev ro, root ro
 *   ... clone ...
 * }                                                  // close after clone: parent copies of detached mounts
 * }</pre>
 *
 * <h2>Requirements on the surrounding program</h2>
 * <ul>
 *   <li>Runs after the namespaces exist and the child is uid/gid 0 in its user namespace.</li>
 *   <li>fds 0, 1 and 2 are open (masked/readonly paths branch on "fd &gt; 0" with
 *       {@code jumpIfPositive}).</li>
 *   <li>Linux 5.12 or later (openat2, fsopen/fsmount/move_mount, mount_setattr).</li>
 *   <li>The umask is set to 0 during the setup and restored afterwards; the process umask
 *       (process.user.umask, default 0022) is the caller's business.</li>
 * </ul>
 */
package io.jrunc.core.rootfs;
