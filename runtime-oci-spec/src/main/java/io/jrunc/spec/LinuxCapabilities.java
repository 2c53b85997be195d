package io.jrunc.spec;

import java.util.List;

/** The five capability sets, names like "CAP_CHOWN". */
public record LinuxCapabilities(
        List<String> bounding,
        List<String> effective,
        List<String> inheritable,
        List<String> permitted,
        List<String> ambient) {
}
