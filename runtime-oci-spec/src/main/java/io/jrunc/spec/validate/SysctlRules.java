package io.jrunc.spec.validate;

import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * {@code linux.sysctl} (config-linux.md "Sysctl"), runc's rule: a container may set only the
 * keys of a kernel namespace it does not share with the host. IPC keys need an ipc namespace,
 * {@code net.*} a network namespace, {@code kernel.domainname} a uts namespace;
 * {@code kernel.hostname} is refused even then, as runc does, because it conflicts with the
 * {@code hostname} field. Whether a joined network namespace is the host's own is a fact of the
 * host, checked by the runtime's planner, not here.
 *
 * <p>The one place of these rules: core only turns a key into its /proc/sys path
 * ({@link #procPath}).
 */
public final class SysctlRules {
    private SysctlRules() {}

    /** The IPC keys (not under fs.mqueue) that belong to the ipc namespace. */
    public static final Set<String> IPC = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
            "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");

    /**
     * The key in dotted form: sysctl(8) accepts {@code net/ipv4/ip_forward} too, where a dot is
     * part of a name ({@code net/ipv4/conf/eth0.100/forwarding}): the two separators swap.
     */
    public static String dotted(String key) {
        return key.indexOf('/') >= 0 ? key.replace('.', '\u0000').replace('/', '.').replace('\u0000', '/') : key;
    }

    /** The path under /proc/sys: dots become slashes (a slash-form key is taken as it is). */
    public static String procPath(String key) {
        return key.indexOf('/') >= 0 ? key : key.replace('.', '/');
    }

    /** True for a key this namespace type governs: "ipc", "network", "uts" or null for none. */
    public static String namespaceOf(String key) {
        String k = dotted(key);
        if (IPC.contains(k) || k.startsWith("fs.mqueue.")) return "ipc";
        if (k.startsWith("net.")) return "network";
        if (k.equals("kernel.domainname") || k.equals("kernel.hostname")) return "uts";
        return null;
    }

    /**
     * Reports each problem of {@code sysctl} to {@code error} (JSON pointer, message).
     *
     * @param hasNamespace whether linux.namespaces has an entry of the type (new or joined)
     */
    static void check(Map<String, String> sysctl, Predicate<String> hasNamespace, BiConsumer<String, String> error) {
        if (sysctl == null) {
            return;
        }
        for (Map.Entry<String, String> e : sysctl.entrySet()) {
            String raw = e.getKey();
            String ptr = "/linux/sysctl/" + Problem.escape(raw);
            if (raw.isEmpty()) {
                error.accept("/linux/sysctl/", "sysctl names must not be empty");
                continue;
            }
            if (e.getValue() == null) {
                error.accept(ptr, "must be a string, not null");
            }
            boolean validName = true;
            for (String c : procPath(raw).split("/", -1)) {
                if (c.isEmpty() || c.equals(".") || c.equals("..")) validName = false;
            }
            if (!validName) {
                // a path component that is empty or a dot would leave /proc/sys when the child writes it
                error.accept(ptr, "sysctl " + SemanticChecks.quote(raw) + " is not a valid sysctl name");
                continue;
            }
            String key = dotted(raw);
            String ns = namespaceOf(raw);
            if (ns == null) {
                error.accept(ptr, "sysctl " + SemanticChecks.quote(raw) + " is not namespaced; setting it would change the host");
            } else if (!hasNamespace.test(ns)) {
                error.accept(ptr, "sysctl " + SemanticChecks.quote(raw) + " requires a" + (ns.equals("ipc") ? "n " : " ")
                        + ns + " namespace in linux.namespaces");
            } else if (key.equals("kernel.hostname")) {
                // runc's words: the OCI hostname field sets it
                error.accept(ptr, "sysctl " + SemanticChecks.quote(raw)
                        + " is not allowed as it conflicts with the OCI \"hostname\" field");
            }
        }
    }
}
