package io.jrunc.spec.validate;

import io.jrunc.spec.KnownValues;
import io.jrunc.spec.LinuxBlockIO;
import io.jrunc.spec.LinuxCPU;
import io.jrunc.spec.LinuxDeviceCgroup;
import io.jrunc.spec.LinuxHugepageLimit;
import io.jrunc.spec.LinuxInterfacePriority;
import io.jrunc.spec.LinuxMemory;
import io.jrunc.spec.LinuxNetwork;
import io.jrunc.spec.LinuxRdma;
import io.jrunc.spec.LinuxResources;
import io.jrunc.spec.LinuxThrottleDevice;
import io.jrunc.spec.LinuxWeightDevice;
import java.util.List;
import java.util.Map;

/**
 * config-linux.md "Control groups": the rules of {@code linux.resources}, with the kernel's own
 * limits (which it would answer with a bare EINVAL, or clamp), in one place: create validates
 * config.json with them, {@code update} its resources ({@link Validator#resources}), and core's
 * cgroup code only converts.
 */
public final class ResourceRules {
    private ResourceRules() {}

    /**
     * A hugetlb page size as the kernel names its cgroup files ({@code hugetlb.2MB.limit_in_bytes})
     * and runc derives them from /sys/kernel/mm/hugepages: a number without leading zero and one of
     * B, KB, MB, GB, TB, PB ({@code 64KB}, {@code 2MB}, {@code 1GB}).
     */
    public static boolean isPageSize(String s) {
        // [1-9][0-9]*[KMGTP]?B, by hand: no regex on create's path (a cold JVM compiles
        // java.util.regex's classes in for the first Pattern)
        if (s == null || s.length() < 2 || s.charAt(0) < '1' || s.charAt(0) > '9' || s.charAt(s.length() - 1) != 'B') {
            return false;
        }
        int end = s.length() - 1;
        if ("KMGTP".indexOf(s.charAt(end - 1)) >= 0 && end - 1 >= 1) end--;
        for (int i = 1; i < end; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        }
        return true;
    }

    /** linux.resources; also {@link Validator#resources} for {@code update}, which has no config.json. */
    static void check(SemanticChecks sc, LinuxResources r) {
        String ptr = "/linux/resources";
        if (r.devices() != null) {
            for (int i = 0; i < r.devices().size(); i++) {
                String p = ptr + "/devices/" + i;
                LinuxDeviceCgroup d = r.devices().get(i);
                if (d == null) {
                    sc.error(p, "must be an object, not null");
                    continue;
                }
                sc.required(p + "/allow", d.allow());
                sc.oneOf(p + "/type", SemanticChecks.emptyToNull(d.type()), KnownValues.DEVICE_CGROUP_TYPES, "device cgroup type");
                // -1 is accepted as the wildcard, as runc does.
                if (d.major() != null && d.major() < -1) {
                    sc.error(p + "/major", "must be -1 (any) or a non-negative number, got " + d.major());
                }
                if (d.minor() != null && d.minor() < -1) {
                    sc.error(p + "/minor", "must be -1 (any) or a non-negative number, got " + d.minor());
                }
                // access: letters beyond r, w and m ("rwa" in older configs) are ignored with a
                // warning by the cgroup code (DeviceRule), as runc ignores them; not refused here
            }
        }
        LinuxMemory m = r.memory();
        if (m != null) {
            String p = ptr + "/memory";
            sc.atLeastMinusOne(p + "/limit", m.limit());
            sc.atLeastMinusOne(p + "/reservation", m.reservation());
            sc.atLeastMinusOne(p + "/swap", m.swap());
            sc.atLeastMinusOne(p + "/kernel", m.kernel());
            sc.atLeastMinusOne(p + "/kernelTCP", m.kernelTCP());
            if (m.swappiness() != null && Long.compareUnsigned(m.swappiness(), 100) > 0) {
                // config-linux.md: swappiness values are from 0 to 100.
                sc.error(p + "/swappiness", "must be between 0 and 100, got " + Long.toUnsignedString(m.swappiness()));
            }
            if (positive(m.limit()) && positive(m.swap()) && m.swap() < m.limit()) {
                // swap is memory+swap (memory.memsw.limit_in_bytes): the kernel refuses less than the limit
                sc.error(p + "/swap", "memory+swap (" + m.swap() + ") must be >= the memory limit (" + m.limit() + ")");
            }
        }
        LinuxCPU c = r.cpu();
        if (c != null) {
            String p = ptr + "/cpu";
            sc.atLeastMinusOne(p + "/quota", c.quota());
            sc.atLeastMinusOne(p + "/realtimeRuntime", c.realtimeRuntime());
            sc.listFormat(p + "/cpus", c.cpus(), true);
            sc.listFormat(p + "/mems", c.mems(), true);
            sc.listBound(p + "/cpus", c.cpus(), 8192); // NR_CPUS is at most 8192
            sc.listBound(p + "/mems", c.mems(), 1024); // MAX_NUMNODES is at most 1024
            // the kernel's own limits, which it would answer with a bare EINVAL (or clamp, for shares)
            if (c.shares() != null && c.shares() != 0
                    && (Long.compareUnsigned(c.shares(), 2) < 0 || Long.compareUnsigned(c.shares(), 262144) > 0)) {
                sc.error(p + "/shares", "must be between 2 and 262144, got " + Long.toUnsignedString(c.shares()));
            }
            if (positive(c.quota()) && c.quota() < 1000) {
                sc.error(p + "/quota", c.quota() + " is below the kernel's minimum of 1000 microseconds");
            }
            if (c.period() != null && c.period() != 0
                    && (Long.compareUnsigned(c.period(), 1000) < 0 || Long.compareUnsigned(c.period(), 1_000_000) > 0)) {
                sc.error(p + "/period", "must be between 1000 and 1000000 microseconds, got " + Long.toUnsignedString(c.period()));
            }
            // cgroup v2 cpu.idle accepts 0 or 1.
            if (c.idle() != null && c.idle() != 0 && c.idle() != 1) {
                sc.error(p + "/idle", "must be 0 or 1, got " + c.idle());
            }
        }
        if (r.pids() != null) {
            sc.required(ptr + "/pids/limit", r.pids().limit());
        }
        if (r.blockIO() != null) {
            blockIO(sc, ptr + "/blockIO", r.blockIO());
        }
        if (r.hugepageLimits() != null) {
            for (int i = 0; i < r.hugepageLimits().size(); i++) {
                String p = ptr + "/hugepageLimits/" + i;
                LinuxHugepageLimit h = r.hugepageLimits().get(i);
                if (h == null) {
                    sc.error(p, "must be an object, not null");
                    continue;
                }
                if (sc.required(p + "/pageSize", h.pageSize()) && !ResourceRules.isPageSize(h.pageSize())) {
                    sc.error(p + "/pageSize", "invalid page size " + SemanticChecks.quote(h.pageSize()) + " (expected like \"2MB\" or \"1GB\")");
                }
                sc.required(p + "/limit", h.limit());
            }
        }
        LinuxNetwork n = r.network();
        if (n != null) {
            sc.uint32(ptr + "/network/classID", n.classID());
            if (n.priorities() != null) {
                for (int i = 0; i < n.priorities().size(); i++) {
                    String p = ptr + "/network/priorities/" + i;
                    LinuxInterfacePriority ip = n.priorities().get(i);
                    if (ip == null) {
                        sc.error(p, "must be an object, not null");
                        continue;
                    }
                    if (sc.required(p + "/name", ip.name()) && ip.name().isEmpty()) {
                        sc.error(p + "/name", "must not be empty");
                    } else if (ip.name() != null && ip.name().chars().anyMatch(Character::isWhitespace)) {
                        // net_prio.ifpriomap takes "name priority" lines
                        sc.error(p + "/name", "invalid interface name " + SemanticChecks.quote(ip.name()));
                    }
                    sc.required(p + "/priority", ip.priority());
                    sc.uint32(p + "/priority", ip.priority());
                }
            }
        }
        if (r.rdma() != null) {
            for (Map.Entry<String, LinuxRdma> e : r.rdma().entrySet()) {
                String p = ptr + "/rdma/" + Problem.escape(e.getKey());
                if (e.getKey().isEmpty()) {
                    sc.error(ptr + "/rdma/", "device names must not be empty");
                } else if (e.getKey().chars().anyMatch(Character::isWhitespace)) {
                    // rdma.max takes "name key=value" lines
                    sc.error(p, "invalid RDMA device name " + SemanticChecks.quote(e.getKey()));
                }
                if (e.getValue() != null) {
                    sc.range(p + "/hcaHandles", e.getValue().hcaHandles(), 0, Integer.MAX_VALUE);
                    sc.range(p + "/hcaObjects", e.getValue().hcaObjects(), 0, Integer.MAX_VALUE);
                }
            }
        }
        if (r.unified() != null) {
            for (var e : r.unified().entrySet()) {
                String key = e.getKey();
                // Keys are cgroup v2 interface file names inside the container's cgroup.
                // and "controller.file": the part before the first dot names the controller
                if (key.isEmpty() || key.equals(".") || key.equals("..") || key.contains("/") || !key.contains(".")) {
                    sc.error(ptr + "/unified/" + Problem.escape(key), "invalid cgroup file name " + SemanticChecks.quote(key));
                }
                // the value is what the file gets: a null would reach the write as nothing
                if (e.getValue() == null) sc.error(ptr + "/unified/" + Problem.escape(key), "must be a string, not null");
            }
        }
    }

    private static void blockIO(SemanticChecks sc, String ptr, LinuxBlockIO b) {
        weight(sc, ptr + "/weight", b.weight());
        weight(sc, ptr + "/leafWeight", b.leafWeight());
        if (b.weightDevice() != null) {
            for (int i = 0; i < b.weightDevice().size(); i++) {
                String p = ptr + "/weightDevice/" + i;
                LinuxWeightDevice w = b.weightDevice().get(i);
                if (w == null) {
                    sc.error(p, "must be an object, not null");
                    continue;
                }
                majorMinor(sc, p, w.major(), w.minor());
                weight(sc, p + "/weight", w.weight());
                weight(sc, p + "/leafWeight", w.leafWeight());
                if (w.weight() == null && w.leafWeight() == null) {
                    // config-linux.md: you MUST specify at least one of weight or leafWeight.
                    sc.error(p, "must specify weight or leafWeight");
                }
            }
        }
        throttle(sc, ptr + "/throttleReadBpsDevice", b.throttleReadBpsDevice());
        throttle(sc, ptr + "/throttleWriteBpsDevice", b.throttleWriteBpsDevice());
        throttle(sc, ptr + "/throttleReadIOPSDevice", b.throttleReadIOPSDevice());
        throttle(sc, ptr + "/throttleWriteIOPSDevice", b.throttleWriteIOPSDevice());
    }

    /** blkio/io weights: 10 to 1000 (0 leaves the kernel's default). */
    private static void weight(SemanticChecks sc, String ptr, Long w) {
        if (w != null && w != 0 && (w < 10 || w > 1000)) {
            sc.error(ptr, "must be between 10 and 1000, got " + w);
        }
    }

    private static boolean positive(Long v) {
        return v != null && v > 0;
    }

    private static void majorMinor(SemanticChecks sc, String p, Long major, Long minor) {
        if (sc.required(p + "/major", major) && major < 0) {
            sc.error(p + "/major", "must not be negative, got " + major);
        }
        if (sc.required(p + "/minor", minor) && minor < 0) {
            sc.error(p + "/minor", "must not be negative, got " + minor);
        }
    }

    private static void throttle(SemanticChecks sc, String ptr, List<LinuxThrottleDevice> list) {
        if (list == null) {
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String p = ptr + "/" + i;
            LinuxThrottleDevice t = list.get(i);
            if (t == null) {
                sc.error(p, "must be an object, not null");
                continue;
            }
            majorMinor(sc, p, t.major(), t.minor());
            sc.required(p + "/rate", t.rate());
        }
    }
}
