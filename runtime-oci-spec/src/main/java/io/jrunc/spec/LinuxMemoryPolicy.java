package io.jrunc.spec;

import java.util.List;

/** set_mempolicy(2) input (spec 1.3.0): mode MPOL_*, nodes like "0-3,7", flags MPOL_F_*. */
public record LinuxMemoryPolicy(String mode, String nodes, List<String> flags) {
}
