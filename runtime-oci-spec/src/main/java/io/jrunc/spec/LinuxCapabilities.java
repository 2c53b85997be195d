package io.jrunc.spec;

import java.util.List;

/** The five capability sets, names like "CAP_CHOWN". */
public record LinuxCapabilities(
        List<String> bounding,
        List<String> effective,
        List<String> inheritable,
        List<String> permitted,
        List<String> ambient) {

    /** A copy with {@code bounding} replaced. */
    public LinuxCapabilities withBounding(List<String> bounding) {
        return new LinuxCapabilities(bounding, effective, inheritable, permitted, ambient);
    }

    /** A copy with {@code effective} replaced. */
    public LinuxCapabilities withEffective(List<String> effective) {
        return new LinuxCapabilities(bounding, effective, inheritable, permitted, ambient);
    }

    /** A copy with {@code inheritable} replaced. */
    public LinuxCapabilities withInheritable(List<String> inheritable) {
        return new LinuxCapabilities(bounding, effective, inheritable, permitted, ambient);
    }

    /** A copy with {@code permitted} replaced. */
    public LinuxCapabilities withPermitted(List<String> permitted) {
        return new LinuxCapabilities(bounding, effective, inheritable, permitted, ambient);
    }

    /** A copy with {@code ambient} replaced. */
    public LinuxCapabilities withAmbient(List<String> ambient) {
        return new LinuxCapabilities(bounding, effective, inheritable, permitted, ambient);
    }
}
