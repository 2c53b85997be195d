package io.jrunc.spec;

import java.util.List;
import java.util.Map;

/**
 * The container configuration, {@code config.json} (runtime-spec config.md), Linux platform.
 * Mirrors specs-go {@code Spec}; absent fields are {@code null}. Non-Linux platform sections
 * (windows, solaris, vm, zos) are not modelled and are ignored on read.
 */
public record Spec(
        String ociVersion,
        Process process,
        Root root,
        String hostname,
        String domainname,
        List<Mount> mounts,
        Hooks hooks,
        Map<String, String> annotations,
        Linux linux) {
}
