package io.jrunc.spec;

import java.util.List;

/** A mount (config.md "mounts"); uid/gidMappings request an id-mapped mount. */
public record Mount(
        String destination,
        String type,
        String source,
        List<String> options,
        List<LinuxIDMapping> uidMappings,
        List<LinuxIDMapping> gidMappings) {
}
