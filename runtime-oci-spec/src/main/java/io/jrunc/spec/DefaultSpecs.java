package io.jrunc.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The templates {@code jrunc spec} writes: the same content as current upstream runc's
 * {@code runc spec} (libcontainer/specconv {@code Example()} and {@code ToRootless()}), with
 * {@code ociVersion} "1.3.0".
 *
 * <p>Differences from runc 1.1.x, whose output is in the test resources, follow upstream runc:
 * no ambient capability set (ambient capabilities for a non-root default shell were a surprise
 * to users) and {@code /sys/devices/virtual/tpm} masked.
 */
public final class DefaultSpecs {

    private DefaultSpecs() {
    }

    private static final List<String> DEFAULT_CAPS = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");

    /** {@code runc spec}; adds a cgroup namespace when the host runs unified cgroup v2, as runc does. */
    public static Spec runcDefault() {
        return runcDefault(Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")));
    }

    /** {@code runc spec}, choosing explicitly whether a cgroup namespace is listed. */
    public static Spec runcDefault(boolean cgroupNamespace) {
        Process process = new Process(
                true, null,
                new User(0L, 0L, null, null, null),
                List.of("sh"), null,
                List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"),
                "/",
                new LinuxCapabilities(DEFAULT_CAPS, DEFAULT_CAPS, null, DEFAULT_CAPS, null),
                List.of(new POSIXRlimit("RLIMIT_NOFILE", 1024L, 1024L)),
                true, null, null, null, null, null, null);
        List<Mount> mounts = List.of(
                mount("/proc", "proc", "proc", null),
                mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro")));
        List<LinuxNamespace> namespaces = new ArrayList<>(List.of(
                new LinuxNamespace("pid", null),
                new LinuxNamespace("network", null),
                new LinuxNamespace("ipc", null),
                new LinuxNamespace("uts", null),
                new LinuxNamespace("mount", null)));
        if (cgroupNamespace) {
            namespaces.add(new LinuxNamespace("cgroup", null));
        }
        LinuxResources resources = new LinuxResources(
                List.of(new LinuxDeviceCgroup(false, null, null, null, "rwm")),
                null, null, null, null, null, null, null, null);
        Linux linux = new Linux(null, null, null, resources, null, List.copyOf(namespaces), null, null, null, null,
                List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                        "/proc/scsi", "/sys/devices/virtual/tpm"),
                List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"),
                null, null, null, null, null);
        return new Spec(KnownValues.OCI_VERSION, process, new Root("rootfs", true), "runc", null, mounts, null, null, linux);
    }

    /** {@code runc spec --rootless} for the calling process's effective uid and gid. */
    public static Spec rootless() {
        long[] ids = effectiveIds();
        return toRootless(runcDefault(), ids[0], ids[1]);
    }

    /** {@code runc spec --rootless} for the given effective ids. */
    public static Spec rootless(long euid, long egid) {
        return toRootless(runcDefault(), euid, egid);
    }

    /**
     * runc's {@code ToRootless}: drop the network namespace (an unprivileged user cannot set up
     * networking) and add a user namespace mapping container root to {@code euid}/{@code egid};
     * bind /sys instead of mounting sysfs (needs a network namespace owned by the userns); strip
     * {@code uid=}/{@code gid=} mount options (ids outside the 1-id map); drop cgroup resources
     * (no cgroup delegation assumed).
     */
    public static Spec toRootless(Spec spec, long euid, long egid) {
        Linux l = spec.linux();
        List<LinuxNamespace> namespaces = new ArrayList<>();
        if (l.namespaces() != null) {
            for (LinuxNamespace ns : l.namespaces()) {
                if (!ns.type().equals("network") && !ns.type().equals("user")) {
                    namespaces.add(ns);
                }
            }
        }
        namespaces.add(new LinuxNamespace("user", null));
        List<Mount> mounts = new ArrayList<>();
        for (Mount m : spec.mounts()) {
            if (Path.of(m.destination()).normalize().toString().equals("/sys")) {
                mounts.add(new Mount("/sys", "none", "/sys", List.of("rbind", "nosuid", "noexec", "nodev", "ro"), null, null));
                continue;
            }
            List<String> options = null;
            if (m.options() != null) {
                options = m.options().stream().filter(o -> !o.startsWith("gid=") && !o.startsWith("uid=")).toList();
                if (options.isEmpty()) {
                    options = null;
                }
            }
            mounts.add(new Mount(m.destination(), m.type(), m.source(), options, m.uidMappings(), m.gidMappings()));
        }
        Linux linux = l.withUidMappings(List.of(new LinuxIDMapping(0L, euid, 1L)))
                .withGidMappings(List.of(new LinuxIDMapping(0L, egid, 1L)))
                .withNamespaces(List.copyOf(namespaces))
                .withResources(null);
        return spec.withMounts(List.copyOf(mounts)).withLinux(linux);
    }

    private static Mount mount(String destination, String type, String source, List<String> options) {
        return new Mount(destination, type, source, options, null, null);
    }

    /** Effective uid and gid from /proc/self/status ("Uid: real effective saved fs"). */
    static long[] effectiveIds() {
        long uid = -1;
        long gid = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    uid = Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                } else if (line.startsWith("Gid:")) {
                    gid = Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("read /proc/self/status: " + e.getMessage(), e);
        }
        if (uid < 0 || gid < 0) {
            throw new IllegalStateException("/proc/self/status has no Uid/Gid lines");
        }
        return new long[]{uid, gid};
    }
}
