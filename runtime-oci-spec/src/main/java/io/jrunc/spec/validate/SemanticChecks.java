package io.jrunc.spec.validate;

import io.jrunc.spec.Hook;
import io.jrunc.spec.Hooks;
import io.jrunc.spec.KnownValues;
import io.jrunc.spec.Linux;
import io.jrunc.spec.LinuxDevice;
import io.jrunc.spec.LinuxIDMapping;
import io.jrunc.spec.LinuxIntelRdt;
import io.jrunc.spec.LinuxMemoryPolicy;
import io.jrunc.spec.LinuxNamespace;
import io.jrunc.spec.LinuxNetDevice;
import io.jrunc.spec.LinuxPersonality;
import io.jrunc.spec.LinuxSeccomp;
import io.jrunc.spec.LinuxSeccompArg;
import io.jrunc.spec.LinuxSyscall;
import io.jrunc.spec.LinuxTimeOffset;
import io.jrunc.spec.Mount;
import io.jrunc.spec.Process;
import io.jrunc.spec.Spec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.jrunc.spec.validate.Problem.escape;

/**
 * The checks a JSON Schema cannot express (value sets with clear messages, cross-field rules,
 * kernel limits), run on the bound records. Pure Java, no reflection: cheap enough for every
 * {@code create}. Each rule cites the spec (config.md / config-linux.md) or the kernel/runc
 * behaviour it mirrors.
 */
final class SemanticChecks {

    private static final long UINT32_MAX = 0xFFFF_FFFFL;
    private static final long UINT16_MAX = 0xFFFFL;

    final ValidationOptions options;
    final List<Problem> problems = new ArrayList<>();
    final List<Problem> warnings = new ArrayList<>();
    /** namespace type -> entry, first occurrence. */
    private final Map<String, LinuxNamespace> namespaces = new HashMap<>();

    /** Pointer of the process object: "/process" in config.json, "" in an exec process.json. */
    String proc = "/process";

    SemanticChecks(ValidationOptions options) {
        this.options = options;
    }

    /** Checks a standalone process ({@code exec --process process.json}, or an exec's {@link Validator#process}). */
    void checkProcess(Process p) {
        proc = "";
        process(p);
    }

    void error(String ptr, String message) {
        problems.add(new Problem(ptr, message));
    }

    void warn(String ptr, String message) {
        warnings.add(new Problem(ptr, message));
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    // ---- generic helpers -------------------------------------------------------------------

    boolean required(String ptr, Object value) {
        if (value == null) {
            error(ptr, "is required");
            return false;
        }
        return true;
    }

    void uint32(String ptr, Long v) {
        if (v != null && (v < 0 || v > UINT32_MAX)) {
            error(ptr, "must be between 0 and 4294967295 (uint32), got " + v);
        }
    }

    void uint16(String ptr, Long v) {
        if (v != null && (v < 0 || v > UINT16_MAX)) {
            error(ptr, "must be between 0 and 65535 (uint16), got " + v);
        }
    }

    void range(String ptr, Number v, long min, long max) {
        if (v != null && (v.longValue() < min || v.longValue() > max)) {
            error(ptr, "must be between " + min + " and " + max + ", got " + v);
        }
    }

    void atLeastMinusOne(String ptr, Long v) {
        if (v != null && v < -1) {
            error(ptr, "must be -1 (unlimited) or a non-negative number, got " + v);
        }
    }

    void oneOf(String ptr, String value, List<String> allowed, String what) {
        if (value != null && !allowed.contains(value)) {
            error(ptr, "unknown " + what + " " + quote(value));
        }
    }

    void oneOfAll(String ptr, List<String> values, List<String> allowed, String what) {
        eachOf(ptr, values, allowed, what, false);
    }

    /** As {@link #oneOfAll}, but a value not in {@code known} is a warning ("ignored"), not an error. */
    void knownOrWarn(String ptr, List<String> values, List<String> known, String what) {
        eachOf(ptr, values, known, what, true);
    }

    private void eachOf(String ptr, List<String> values, List<String> allowed, String what, boolean unknownIgnored) {
        if (values == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            if (v == null) {
                error(ptr + "/" + i, "must be a string, not null");
            } else if (!allowed.contains(v)) {
                if (unknownIgnored) {
                    warn(ptr + "/" + i, "unknown " + what + " " + quote(v) + " (ignored)");
                } else {
                    error(ptr + "/" + i, "unknown " + what + " " + quote(v));
                }
            } else if (!seen.add(v)) {
                warn(ptr + "/" + i, "duplicate " + what + " " + quote(v));
            }
        }
    }

    boolean noNul(String ptr, String value) {
        if (value != null && value.indexOf('\0') >= 0) {
            error(ptr, "must not contain a NUL byte");
            return false;
        }
        return true;
    }

    /** True when {@link #absolutePath} has nothing to report on {@code value}. */
    private static boolean cleanAbsolute(String value) {
        return value != null && !value.isEmpty() && value.charAt(0) == '/' && value.indexOf('\0') < 0;
    }

    void absolutePath(String ptr, String value, boolean isRequired) {
        if (cleanAbsolute(value)) {
            return;
        }
        if (value == null) {
            if (isRequired) {
                error(ptr, "is required");
            }
            return;
        }
        if (!noNul(ptr, value)) {
            return;
        }
        if (value.isEmpty()) {
            error(ptr, "must not be empty");
        } else if (!value.startsWith("/")) {
            error(ptr, "must be an absolute path, got " + quote(value));
        }
    }

    void absolutePaths(String ptr, List<String> values) {
        if (values != null) {
            for (int i = 0; i < values.size(); i++) {
                String v = values.get(i);
                // the element's pointer only for a report: a default config's ~20 masked and
                // read-only paths, valid, made ~0.15 ms of strings in every cold create
                if (!cleanAbsolute(v)) {
                    absolutePath(ptr + "/" + i, v, true);
                }
            }
        }
    }

    /**
     * A Linux list format ("0-3,7"), as used by cpusets, sched affinity and mempolicy nodes.
     * Returns the problem, or null when valid.
     */
    static String listFormatProblem(String list) {
        if (list.isEmpty()) {
            return "must not be empty";
        }
        for (String part : list.split(",", -1)) {
            String p = part.strip();
            int dash = p.indexOf('-');
            String lo = dash < 0 ? p : p.substring(0, dash);
            String hi = dash < 0 ? p : p.substring(dash + 1);
            if (!lo.matches("\\d{1,9}") || !hi.matches("\\d{1,9}")) {
                return "invalid list " + quote(list) + " (expected numbers and ranges like \"0-3,7\")";
            }
            if (Long.parseLong(lo) > Long.parseLong(hi)) {
                return "invalid range " + quote(p) + " in " + quote(list) + " (start is after end)";
            }
        }
        return null;
    }

    void listFormat(String ptr, String list, boolean emptyOk) {
        if (list == null || (emptyOk && list.isEmpty())) {
            return;
        }
        String problem = listFormatProblem(list);
        if (problem != null) {
            error(ptr, problem);
        }
    }

    boolean hasNamespace(String type) {
        return namespaces.containsKey(type);
    }

    boolean createsNamespace(String type) {
        LinuxNamespace ns = namespaces.get(type);
        return ns != null && (ns.path() == null || ns.path().isEmpty());
    }

    // ---- document ----------------------------------------------------------------------------

    void check(Spec spec) {
        version(spec.ociVersion());
        Linux linux = spec.linux();
        if (linux != null && linux.namespaces() != null) {
            namespaces(linux.namespaces());
        }
        if (spec.root() == null) {
            // config.md: root is REQUIRED on every platform but Windows.
            error("/root", "is required");
        } else {
            String path = spec.root().path();
            if (required("/root/path", path) && noNul("/root/path", path) && path.isEmpty()) {
                error("/root/path", "must not be empty");
            }
        }
        if (spec.process() == null) {
            if (options.requireProcess()) {
                // config.md: process is REQUIRED when start is called.
                error("/process", "is required");
            }
        } else {
            process(spec.process());
        }
        mounts(spec.mounts(), linux);
        hooks(spec.hooks());
        if (spec.annotations() != null) {
            for (var e : spec.annotations().entrySet()) {
                if (e.getKey().isEmpty()) {
                    // config.md: keys MUST NOT be an empty string.
                    error("/annotations/", "annotation keys must not be empty");
                }
                // config.md: values MUST be strings (a null was recorded, and the record then
                // refused by every later command as malformed)
                if (e.getValue() == null) error("/annotations/" + Problem.escape(e.getKey()), "must be a string, not null");
            }
        }
        if (spec.hostname() != null && !spec.hostname().isEmpty() && !hasNamespace("uts")) {
            // runc: setting the hostname without a private UTS namespace would change the host's.
            error("/hostname", "setting the hostname requires a uts namespace in linux.namespaces");
        }
        if (spec.domainname() != null && !spec.domainname().isEmpty() && !hasNamespace("uts")) {
            error("/domainname", "setting the domainname requires a uts namespace in linux.namespaces");
        }
        if (linux != null) {
            linux(linux);
        }
    }

    private void version(String v) {
        if (!required("/ociVersion", v)) {
            return;
        }
        long[] mm = majorMinor(v);
        if (mm == null) {
            error("/ociVersion", "invalid version " + quote(v) + " (expected semantic version like \"1.3.0\")");
            return;
        }
        long major = mm[0];
        long minor = mm[1];
        if (major != 1 || minor > 3) {
            error("/ociVersion", "unsupported version " + quote(v) + " (supported: "
                    + KnownValues.OCI_VERSION_MIN + " to 1.3.x)");
        }
    }

    /**
     * Major and minor of a semantic version ({@code MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]}, the
     * numbers without leading zeros, the two tails of {@code [0-9A-Za-z.-]}), or null when
     * {@code v} is not one. By hand, not a regex: create checks this on every call, and a
     * cold JVM's first {@code Pattern} compiles its classes in (~0.3 ms). A number too long for
     * a long reads as {@code Long.MAX_VALUE} (an unsupported version, not an exception).
     */
    static long[] majorMinor(String v) {
        int[] at = {0};
        long major = number(v, at);
        if (major < 0 || !take(v, at, '.')) return null;
        long minor = number(v, at);
        if (minor < 0 || !take(v, at, '.')) return null;
        if (number(v, at) < 0) return null;
        if (take(v, at, '-') && !identifiers(v, at)) return null;
        if (take(v, at, '+') && !identifiers(v, at)) return null;
        return at[0] == v.length() ? new long[] {major, minor} : null;
    }

    /** {@code 0|[1-9][0-9]*} at {@code at}, advanced past it; -1 when there is none. */
    private static long number(String v, int[] at) {
        int i = at[0];
        if (i >= v.length() || v.charAt(i) < '0' || v.charAt(i) > '9') return -1;
        if (v.charAt(i) == '0') {
            at[0] = i + 1;
            return 0;
        }
        long n = 0;
        while (i < v.length() && v.charAt(i) >= '0' && v.charAt(i) <= '9') {
            int d = v.charAt(i++) - '0';
            n = n > (Long.MAX_VALUE - d) / 10 ? Long.MAX_VALUE : n * 10 + d;
        }
        at[0] = i;
        return n;
    }

    private static boolean take(String v, int[] at, char c) {
        if (at[0] < v.length() && v.charAt(at[0]) == c) {
            at[0]++;
            return true;
        }
        return false;
    }

    /** {@code [0-9A-Za-z.-]+} at {@code at}, advanced past it. */
    private static boolean identifiers(String v, int[] at) {
        int i = at[0];
        while (i < v.length()) {
            char c = v.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '.' || c == '-')) break;
            i++;
        }
        boolean any = i > at[0];
        at[0] = i;
        return any;
    }

    // ---- process: ProcessRules --------------------------------------------------------------

    private void process(Process p) {
        ProcessRules.process(this, p);
    }

    /** {@link MountRules}: config.md "Mounts" (id-mapped mounts look at linux's mappings too). */
    private void mounts(List<Mount> mounts, Linux linux) {
        MountRules.check(this, mounts, linux);
    }

    void idMappings(String ptr, List<LinuxIDMapping> maps) {
        if (maps == null) {
            return;
        }
        for (int i = 0; i < maps.size(); i++) {
            String p = ptr + "/" + i;
            LinuxIDMapping m = maps.get(i);
            if (m == null) {
                error(p, "must be an object, not null");
                continue;
            }
            required(p + "/containerID", m.containerID());
            required(p + "/hostID", m.hostID());
            required(p + "/size", m.size());
            uint32(p + "/containerID", m.containerID());
            uint32(p + "/hostID", m.hostID());
            uint32(p + "/size", m.size());
            if (m.size() != null && m.size() == 0) {
                // user_namespaces(7): a zero-length range is rejected with EINVAL.
                error(p + "/size", "must be greater than 0");
            }
        }
    }

    private void hooks(Hooks hooks) {
        if (hooks == null) {
            return;
        }
        hookList("/hooks/prestart", hooks.prestart());
        hookList("/hooks/createRuntime", hooks.createRuntime());
        hookList("/hooks/createContainer", hooks.createContainer());
        hookList("/hooks/startContainer", hooks.startContainer());
        hookList("/hooks/poststart", hooks.poststart());
        hookList("/hooks/poststop", hooks.poststop());
    }

    private void hookList(String ptr, List<Hook> list) {
        if (list == null) {
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String p = ptr + "/" + i;
            Hook h = list.get(i);
            if (h == null) {
                error(p, "must be an object, not null");
                continue;
            }
            // config.md: path is REQUIRED and MUST be absolute.
            absolutePath(p + "/path", h.path(), true);
            // config.md: timeout, if set, MUST be greater than zero.
            if (h.timeout() != null && h.timeout() <= 0) {
                error(p + "/timeout", "must be greater than zero, got " + h.timeout());
            }
            // args and env reach execve as C strings: no null entry (it met an internal error
            // at the spawn) and no NUL inside one
            cStrings(p + "/args", h.args());
            cStrings(p + "/env", h.env());
        }
    }

    /** Each entry of {@code list} (at {@code ptr}) is a string without NUL: it reaches execve as a C string. */
    void cStrings(String ptr, List<String> list) {
        if (list == null) {
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                error(ptr + "/" + i, "must be a string, not null");
            } else {
                noNul(ptr + "/" + i, list.get(i));
            }
        }
    }

    // ---- linux -------------------------------------------------------------------------------

    private void namespaces(List<LinuxNamespace> list) {
        for (int i = 0; i < list.size(); i++) {
            String ptr = "/linux/namespaces/" + i;
            LinuxNamespace ns = list.get(i);
            if (ns == null) {
                error(ptr, "must be an object, not null");
                continue;
            }
            if (!required(ptr + "/type", ns.type())) {
                continue;
            }
            if (!KnownValues.NAMESPACES.contains(ns.type())) {
                error(ptr + "/type", "unknown namespace type " + quote(ns.type()));
                continue;
            }
            if (namespaces.putIfAbsent(ns.type(), ns) != null) {
                // config-linux.md: duplicated namespace types MUST generate an error.
                error(ptr + "/type", "duplicate namespace type " + quote(ns.type()));
            }
            if (ns.path() != null && !ns.path().isEmpty()) {
                // config-linux.md: path MUST be absolute in the runtime mount namespace.
                absolutePath(ptr + "/path", ns.path(), false);
            }
        }
    }

    private void linux(Linux linux) {
        String ptr = "/linux";
        idMappings(ptr + "/uidMappings", linux.uidMappings());
        idMappings(ptr + "/gidMappings", linux.gidMappings());
        boolean maps = (linux.uidMappings() != null && !linux.uidMappings().isEmpty())
                || (linux.gidMappings() != null && !linux.gidMappings().isEmpty());
        if (maps && !hasNamespace("user")) {
            error(ptr + (linux.uidMappings() != null && !linux.uidMappings().isEmpty() ? "/uidMappings" : "/gidMappings"),
                    "uid/gid mappings require a user namespace in linux.namespaces");
        }
        if (createsNamespace("user")) {
            // runc: a new user namespace without mappings leaves every id unmapped (overflow id).
            if (linux.uidMappings() == null || linux.uidMappings().isEmpty()) {
                error(ptr + "/uidMappings", "a new user namespace requires uidMappings");
            }
            if (linux.gidMappings() == null || linux.gidMappings().isEmpty()) {
                error(ptr + "/gidMappings", "a new user namespace requires gidMappings");
            }
        }
        sysctl(linux.sysctl());
        if (linux.resources() != null) {
            ResourceRules.check(this, linux.resources());
        }
        cgroupsPath(linux.cgroupsPath());
        devices(linux.devices());
        netDevices(linux.netDevices());
        if (linux.seccomp() != null) {
            seccomp(linux.seccomp());
        }
        oneOf(ptr + "/rootfsPropagation", emptyToNull(linux.rootfsPropagation()),
                KnownValues.ROOTFS_PROPAGATIONS, "rootfs propagation");
        // config-linux.md: masked and readonly paths MUST be absolute.
        absolutePaths(ptr + "/maskedPaths", linux.maskedPaths());
        absolutePaths(ptr + "/readonlyPaths", linux.readonlyPaths());
        intelRdt(linux.intelRdt());
        personality(linux.personality());
        timeOffsets(linux.timeOffsets());
        memoryPolicy(linux.memoryPolicy());
    }

    static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** {@link SysctlRules}: only keys of a namespace the container has of its own. */
    private void sysctl(Map<String, String> sysctl) {
        SysctlRules.check(sysctl, this::hasNamespace, this::error);
    }

    private void cgroupsPath(String path) {
        if (path == null || path.isEmpty()) {
            return;
        }
        String ptr = "/linux/cgroupsPath";
        if (!noNul(ptr, path)) {
            return;
        }
        if (options.systemdCgroup()) {
            // runc --systemd-cgroup: "slice:prefix:name"; the slice may be empty (default).
            String[] parts = path.split(":", -1);
            if (parts.length != 3) {
                error(ptr, "expected \"slice:prefix:name\" for systemd cgroups, got " + quote(path));
                return;
            }
            if (!parts[0].isEmpty() && (!parts[0].endsWith(".slice") || parts[0].contains("/"))) {
                error(ptr, "invalid slice " + quote(parts[0]) + " (expected a name ending in \".slice\")");
            }
            if (parts[2].isEmpty()) {
                error(ptr, "the unit name part of " + quote(path) + " must not be empty");
            }
        }
        // Otherwise both absolute and relative paths are valid (config-linux.md).
    }

    private void devices(List<LinuxDevice> devices) {
        if (devices == null) {
            return;
        }
        for (int i = 0; i < devices.size(); i++) {
            String ptr = "/linux/devices/" + i;
            LinuxDevice d = devices.get(i);
            if (d == null) {
                error(ptr, "must be an object, not null");
                continue;
            }
            absolutePath(ptr + "/path", d.path(), true);
            if (isRoot(d.path())) {
                error(ptr + "/path", "path / is not a device");
            }
            if (required(ptr + "/type", d.type())) {
                oneOf(ptr + "/type", d.type(), KnownValues.DEVICE_TYPES, "device type");
            }
            // config-linux.md: major and minor are REQUIRED unless type is p.
            if (!"p".equals(d.type())) {
                required(ptr + "/major", d.major());
                required(ptr + "/minor", d.minor());
            }
            if (d.major() != null && d.major() < 0) {
                error(ptr + "/major", "must not be negative, got " + d.major());
            }
            if (d.minor() != null && d.minor() < 0) {
                error(ptr + "/minor", "must not be negative, got " + d.minor());
            }
            // mknod(2)'s dev_t: 12 bits of major and 20 of minor as the kernel takes them (MKDEV)
            if ((d.major() != null && d.major() > 0xfff) || (d.minor() != null && d.minor() > 0xfffff)) {
                error(ptr, "device number " + d.major() + ":" + d.minor() + " out of range (major 0-4095, minor 0-1048575)");
            }
            uint32(ptr + "/fileMode", d.fileMode());
            uint32(ptr + "/uid", d.uid());
            uint32(ptr + "/gid", d.gid());
        }
    }

    /** An absolute path that names "/" itself ("/", "//", "/x/.."). */
    private static boolean isRoot(String path) {
        if (path == null || !path.startsWith("/") || path.indexOf('\0') >= 0) {
            return false;
        }
        return java.nio.file.Path.of(path).normalize().toString().equals("/");
    }

    /** dev_valid_name() in net/core/dev.c. */
    static boolean validInterfaceName(String name) {
        if (name.isEmpty() || name.length() > 15 || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (char c : name.toCharArray()) {
            if (c == '/' || c == ':' || Character.isWhitespace(c) || c == 0) {
                return false;
            }
        }
        return true;
    }

    private void netDevices(Map<String, LinuxNetDevice> devs) {
        if (devs == null || devs.isEmpty()) {
            return;
        }
        String ptr = "/linux/netDevices";
        if (!hasNamespace("network")) {
            // config-linux.md: devices are moved into the container's network namespace
            // (runc's wording, which engines and runc's tests look for).
            error(ptr, "unable to move network devices without a private NET namespace (add a network namespace to linux.namespaces)");
        }
        for (Map.Entry<String, LinuxNetDevice> e : devs.entrySet()) {
            String p = ptr + "/" + escape(e.getKey());
            if (!validInterfaceName(e.getKey())) {
                error(p, "invalid host interface name " + quote(e.getKey()));
            }
            LinuxNetDevice d = e.getValue();
            if (d != null && d.name() != null && !d.name().isEmpty() && !validInterfaceName(d.name())) {
                error(p + "/name", "invalid interface name " + quote(d.name()));
            }
        }
    }

    private void seccomp(LinuxSeccomp s) {
        String ptr = "/linux/seccomp";
        if (required(ptr + "/defaultAction", s.defaultAction())) {
            oneOf(ptr + "/defaultAction", s.defaultAction(), KnownValues.SECCOMP_ACTIONS, "seccomp action");
            if ("SCMP_ACT_NOTIFY".equals(s.defaultAction())) {
                // libseccomp refuses a notify default action (the agent itself would be trapped).
                error(ptr + "/defaultAction", "SCMP_ACT_NOTIFY cannot be used as default action");
            }
        }
        uint32(ptr + "/defaultErrnoRet", s.defaultErrnoRet());
        oneOfAll(ptr + "/architectures", s.architectures(), KnownValues.SECCOMP_ARCHS, "seccomp architecture");
        oneOfAll(ptr + "/flags", s.flags(), KnownValues.SECCOMP_FLAGS, "seccomp flag");
        if (s.listenerPath() != null && !s.listenerPath().isEmpty()) {
            absolutePath(ptr + "/listenerPath", s.listenerPath(), false);
        }
        if (s.syscalls() == null) {
            return;
        }
        for (int i = 0; i < s.syscalls().size(); i++) {
            String p = ptr + "/syscalls/" + i;
            LinuxSyscall sc = s.syscalls().get(i);
            if (sc == null) {
                error(p, "must be an object, not null");
                continue;
            }
            if (sc.names() == null || sc.names().isEmpty()) {
                error(p + "/names", sc.names() == null ? "is required" : "must have at least one entry");
            } else {
                for (int j = 0; j < sc.names().size(); j++) {
                    String n = sc.names().get(j);
                    if (n == null || n.isEmpty()) {
                        error(p + "/names/" + j, "syscall names must not be empty");
                    } else if ("write".equals(n) && "SCMP_ACT_NOTIFY".equals(sc.action())) {
                        // runc: the runtime itself writes during setup; notifying on write deadlocks.
                        error(p + "/names/" + j, "SCMP_ACT_NOTIFY cannot be used for the write syscall");
                    }
                }
            }
            if (required(p + "/action", sc.action())) {
                oneOf(p + "/action", sc.action(), KnownValues.SECCOMP_ACTIONS, "seccomp action");
            }
            uint32(p + "/errnoRet", sc.errnoRet());
            if (sc.args() == null) {
                continue;
            }
            for (int j = 0; j < sc.args().size(); j++) {
                String ap = p + "/args/" + j;
                LinuxSeccompArg a = sc.args().get(j);
                if (a == null) {
                    error(ap, "must be an object, not null");
                    continue;
                }
                // seccomp(2): struct seccomp_data has six syscall arguments.
                if (required(ap + "/index", a.index())) {
                    range(ap + "/index", a.index(), 0, 5);
                }
                required(ap + "/value", a.value());
                if (required(ap + "/op", a.op())) {
                    oneOf(ap + "/op", a.op(), KnownValues.SECCOMP_OPERATORS, "seccomp operator");
                }
            }
        }
    }

    private void intelRdt(LinuxIntelRdt rdt) {
        if (rdt == null) {
            return;
        }
        String ptr = "/linux/intelRdt";
        String clos = rdt.closID();
        if (clos != null && !clos.isEmpty()
                && (clos.equals(".") || clos.equals("..") || clos.contains("/") || clos.contains("\n"))) {
            // The CLOS id names a resctrl directory.
            error(ptr + "/closID", "invalid CLOS id " + quote(clos) + " (must be a plain directory name)");
        }
        if (rdt.schemata() != null) {
            for (int i = 0; i < rdt.schemata().size(); i++) {
                String line = rdt.schemata().get(i);
                if (line == null || line.contains("\n")) {
                    error(ptr + "/schemata/" + i, "each entry must be a single line");
                }
            }
        }
    }

    private void personality(LinuxPersonality p) {
        if (p == null) {
            return;
        }
        String ptr = "/linux/personality";
        if (required(ptr + "/domain", p.domain())) {
            oneOf(ptr + "/domain", p.domain(), KnownValues.PERSONALITY_DOMAINS, "personality domain");
        }
        // config-linux.md: no flags are currently defined.
        oneOfAll(ptr + "/flags", p.flags(), List.of(), "personality flag");
    }

    private void timeOffsets(Map<String, LinuxTimeOffset> offsets) {
        if (offsets == null || offsets.isEmpty()) {
            return;
        }
        String ptr = "/linux/timeOffsets";
        if (!createsNamespace("time")) {
            // time_namespaces(7): offsets can only be written before the first process enters.
            error(ptr, "time offsets require a new time namespace in linux.namespaces");
        }
        for (Map.Entry<String, LinuxTimeOffset> e : offsets.entrySet()) {
            String p = ptr + "/" + escape(e.getKey());
            if (!KnownValues.TIME_OFFSET_CLOCKS.contains(e.getKey())) {
                error(p, "unknown clock " + quote(e.getKey()) + " (expected monotonic or boottime)");
            }
            LinuxTimeOffset o = e.getValue();
            if (o != null && o.nanosecs() != null && (o.nanosecs() < 0 || o.nanosecs() > 999_999_999L)) {
                error(p + "/nanosecs", "must be between 0 and 999999999, got " + o.nanosecs());
            }
        }
    }

    /**
     * linux.memoryPolicy. The messages carry runc's words ("invalid memory policy mode", "...
     * flag", "... node", "mode requires 0 nodes but got N"), which its tests and users look for,
     * after the pointer and with the value.
     */
    private void memoryPolicy(LinuxMemoryPolicy mp) {
        if (mp == null) {
            return;
        }
        String ptr = "/linux/memoryPolicy";
        String mode = mp.mode() == null ? "" : mp.mode();
        if (mp.mode() == null) {
            error(ptr + "/mode", "invalid memory policy mode: is required");
        } else if (!KnownValues.MEMORY_POLICY_MODES.contains(mode)) {
            error(ptr + "/mode", "invalid memory policy mode " + quote(mode));
        }
        if (mp.flags() != null) {
            for (int i = 0; i < mp.flags().size(); i++) {
                String f = mp.flags().get(i);
                if (!KnownValues.MEMORY_POLICY_FLAGS.contains(f)) {
                    error(ptr + "/flags/" + i, "invalid memory policy flag " + quote(f));
                }
            }
        }
        String nodes = mp.nodes() == null ? "" : mp.nodes();
        String problem = nodes.isEmpty() ? null : listFormatProblem(nodes);
        if (problem != null) {
            error(ptr + "/nodes", "invalid memory policy node list: " + problem);
            return;
        }
        long count = nodes.isEmpty() ? 0 : listCount(nodes);
        // set_mempolicy(2): DEFAULT and LOCAL take an empty node mask; BIND, INTERLEAVE,
        // WEIGHTED_INTERLEAVE and PREFERRED_MANY need at least one node.
        if ((mode.equals("MPOL_DEFAULT") || mode.equals("MPOL_LOCAL")) && count > 0) {
            error(ptr + "/nodes", "invalid memory policy nodes: " + mode + " mode requires 0 nodes but got " + count);
        } else if ((mode.equals("MPOL_BIND") || mode.equals("MPOL_INTERLEAVE")
                || mode.equals("MPOL_WEIGHTED_INTERLEAVE") || mode.equals("MPOL_PREFERRED_MANY")) && count == 0) {
            error(ptr + "/nodes", "is required for " + mode);
        }
        listBound(ptr + "/nodes", mp.nodes(), 8192, "invalid memory policy node: "); // the nodemask the runtime passes
        if (mp.flags() != null && mp.flags().contains("MPOL_F_STATIC_NODES")
                && mp.flags().contains("MPOL_F_RELATIVE_NODES")) {
            error(ptr + "/flags", "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES are mutually exclusive");
        }
    }

    /** How many numbers a well-formed list ("0-3,7": 5) names, duplicates counted once per mention. */
    static long listCount(String list) {
        long n = 0;
        for (String part : list.split(",")) {
            String p = part.strip();
            int dash = p.indexOf('-');
            n += dash < 0 ? 1 : Long.parseLong(p.substring(dash + 1)) - Long.parseLong(p.substring(0, dash)) + 1;
        }
        return n;
    }

    // ---- resources ---------------------------------------------------------------------------

    /** The highest number of a well-formed list must be below the kernel's limit. */
    void listBound(String ptr, String list, int max) {
        listBound(ptr, list, max, "");
    }

    /** As {@link #listBound(String, String, int)}, the message after {@code prefix}. */
    void listBound(String ptr, String list, int max, String prefix) {
        if (list == null || list.isEmpty() || listFormatProblem(list) != null) {
            return;
        }
        for (String part : list.split(",")) {
            String p = part.strip();
            long hi = Long.parseLong(p.substring(p.indexOf('-') + 1));
            if (hi >= max) {
                error(ptr, prefix + hi + " is beyond the kernel's limit of " + max);
                return;
            }
        }
    }

}
