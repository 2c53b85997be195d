package io.jrunc.spec;

import java.util.List;

/** personality(2): domain LINUX or LINUX32; no flags are defined yet. */
public record LinuxPersonality(String domain, List<String> flags) {
}
