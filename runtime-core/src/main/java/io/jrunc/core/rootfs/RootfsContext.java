package io.jrunc.core.rootfs;

import io.jrunc.spec.LinuxNamespace;
import io.jrunc.spec.Spec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@link RootfsSetup} needs to plan the container's filesystem.
 *
 * @param spec the validated config.json
 * @param rootfs absolute host path of the root filesystem ({@code root.path}, resolved against the bundle)
 * @param bundle absolute bundle directory (relative bind sources are resolved against it)
 * @param noPivot {@code --no-pivot}: MS_MOVE the rootfs onto {@code /} and chroot instead of pivot_root
 * @param newUserNs init sets the container up in a user namespace, created or joined: mknod is refused there, devices are bind-mounted from the host
 * @param mountNs the container has a mount namespace (new or joined, as runc: any "mount" entry); without one
 *     only chroot is possible
 * @param cgroupNs the container has a cgroup namespace (a {@code cgroup} mount then mounts cgroupfs;
 *     without one the container's own cgroup directories are bind-mounted, see {@code cgroupDirs})
 * @param consolePath the pty slave to bind onto {@code /dev/console}, as a path the child sees before
 *     pivot_root (a host path such as {@code /dev/pts/3}); null when no terminal is used
 * @param cgroupDirs for a {@code cgroup} mount without a cgroup namespace: hierarchy directory name under
 *     {@code /sys/fs/cgroup} ({@code "cpu,cpuacct"}, {@code "memory"}, {@code "unified"}; {@code ""} for a
 *     pure cgroup v2 host) to the container's host directory in it. May be null otherwise.
 * @param laterDirs bind sources that create makes (as directories) only after planning, before the
 *     clone: the notify socket's directory in the state directory, which does not exist while
 *     create plans (a plan makes nothing)
 */
public record RootfsContext(Spec spec, Path rootfs, Path bundle, boolean noPivot, boolean newUserNs,
    boolean mountNs, boolean cgroupNs, String consolePath, Map<String, Path> cgroupDirs, java.util.Set<Path> laterDirs) {

  /** The defaults derived from {@code spec}: namespaces from linux.namespaces, pivot_root, no console. */
  public static RootfsContext of(Spec spec, Path bundle) {
    Path b = bundle.toAbsolutePath().normalize();
    String rp = spec.root() == null || spec.root().path() == null ? "rootfs" : spec.root().path();
    Path rootfs = b.resolve(rp).normalize();
    List<LinuxNamespace> ns = spec.linux() == null || spec.linux().namespaces() == null
        ? List.of() : spec.linux().namespaces();
    // a loop, not three streams: a cold create's only stream use besides these was the JDK's
    // struct layouts, which jrunc no longer makes (the stream classes are then out of its cache)
    boolean user = false, mnt = false, cg = false;
    for (LinuxNamespace n : ns) {
      user |= "user".equals(n.type()) && n.path() == null;
      mnt |= "mount".equals(n.type());
      cg |= "cgroup".equals(n.type());
    }
    return new RootfsContext(spec, rootfs, b, false, user, mnt, cg, null, null, java.util.Set.of());
  }

  public RootfsContext withNoPivot(boolean v) {
    return new RootfsContext(spec, rootfs, bundle, v, newUserNs, mountNs, cgroupNs, consolePath, cgroupDirs, laterDirs);
  }

  public RootfsContext withNewUserNs(boolean v) {
    return new RootfsContext(spec, rootfs, bundle, noPivot, v, mountNs, cgroupNs, consolePath, cgroupDirs, laterDirs);
  }

  public RootfsContext withConsole(String slavePath) {
    return new RootfsContext(spec, rootfs, bundle, noPivot, newUserNs, mountNs, cgroupNs, slavePath, cgroupDirs, laterDirs);
  }

  public RootfsContext withCgroupDirs(Map<String, Path> dirs) {
    return new RootfsContext(spec, rootfs, bundle, noPivot, newUserNs, mountNs, cgroupNs, consolePath,
        dirs == null ? null : Map.copyOf(dirs), laterDirs);
  }

  public RootfsContext withLaterDirs(java.util.Set<Path> dirs) {
    return new RootfsContext(spec, rootfs, bundle, noPivot, newUserNs, mountNs, cgroupNs, consolePath, cgroupDirs,
        java.util.Set.copyOf(dirs));
  }

  public RootfsContext withRootfs(Path p) {
    return new RootfsContext(spec, p, bundle, noPivot, newUserNs, mountNs, cgroupNs, consolePath, cgroupDirs, laterDirs);
  }
}
