package io.jrunc.spec.validate;

import io.jrunc.spec.Linux;
import io.jrunc.spec.Mount;
import java.util.List;

/**
 * config.md "Mounts" and runc's mount rules that need no host: destinations, id mappings, which
 * options go with which type. Where a mount lands (a destination resolved through the rootfs'
 * symlinks, /proc targets) and whether a bind source exists are facts of the host, checked by
 * the runtime's planner. The one place of these rules: core's rootfs code only acts on them.
 */
final class MountRules {
    private MountRules() {}

    static void check(SemanticChecks c, List<Mount> mounts, Linux linux) {
        if (mounts == null) {
            return;
        }
        for (int i = 0; i < mounts.size(); i++) {
            String ptr = "/mounts/" + i;
            Mount m = mounts.get(i);
            if (m == null) {
                c.error(ptr, "must be an object, not null");
                continue;
            }
            String dest = m.destination();
            if (c.required(ptr + "/destination", dest) && c.noNul(ptr + "/destination", dest)) {
                if (dest.isEmpty()) {
                    c.error(ptr + "/destination", "must not be empty");
                } else if (!dest.startsWith("/")) {
                    // config.md (1.1+): relative destinations are deprecated, taken relative to "/".
                    c.warn(ptr + "/destination", "relative destination " + SemanticChecks.quote(dest)
                            + " is deprecated (taken relative to \"/\")");
                }
            }
            c.noNul(ptr + "/source", m.source());
            c.noNul(ptr + "/type", m.type());
            List<String> options = m.options() == null ? List.of() : m.options();
            for (int j = 0; j < options.size(); j++) {
                if (options.get(j) == null) {
                    c.error(ptr + "/options/" + j, "must be a string, not null");
                }
            }
            c.idMappings(ptr + "/uidMappings", m.uidMappings());
            c.idMappings(ptr + "/gidMappings", m.gidMappings());
            boolean hasUid = notEmpty(m.uidMappings());
            boolean hasGid = notEmpty(m.gidMappings());
            if (hasUid != hasGid) {
                // mount_setattr(2) MOUNT_ATTR_IDMAP takes one user namespace carrying both maps.
                c.error(ptr + (hasUid ? "/gidMappings" : "/uidMappings"),
                        "invalid mount: an id-mapped mount needs both uidMappings and gidMappings");
            }
            options(c, ptr, m, options, hasUid && hasGid, linux); // a lone map is reported above
        }
    }

    /** runc's rules on the options: what makes a bind mount, and what only some types take. */
    private static void options(SemanticChecks c, String ptr, Mount m, List<String> options, boolean mapped, Linux linux) {
        boolean bind = "bind".equals(m.type()) || options.contains("bind") || options.contains("rbind");
        boolean remount = options.contains("remount");
        if (!bind && !remount && (m.type() == null || m.type().isEmpty())) {
            c.error(ptr + "/type", "invalid mount: type is required unless options include bind or rbind");
        }
        int tmpcopyup = options.indexOf("tmpcopyup");
        if (tmpcopyup >= 0 && !"tmpfs".equals(m.type())) {
            c.error(ptr + "/options/" + tmpcopyup, "option tmpcopyup is only valid for tmpfs mounts");
        }
        int idmap = Math.max(options.indexOf("idmap"), options.indexOf("ridmap"));
        if ((idmap >= 0 || mapped) && !bind) {
            c.error(ptr, "invalid mount: only bind mounts can be id-mapped");
        } else if (idmap >= 0 && !mapped && !remount && (linux == null || linux.joinedNamespace("user") == null)
                && (linux == null || !notEmpty(linux.uidMappings()) || !notEmpty(linux.gidMappings()))) {
            // without mappings of its own, the mount takes the container's (runc's idmap option):
            // linux.uidMappings and gidMappings, or the user namespace joined by path
            c.error(ptr + "/options/" + idmap, "option " + options.get(idmap)
                    + " without uidMappings/gidMappings needs linux.uidMappings and linux.gidMappings, or a user namespace joined by path");
        }
    }

    private static boolean notEmpty(List<?> l) {
        return l != null && !l.isEmpty();
    }
}
