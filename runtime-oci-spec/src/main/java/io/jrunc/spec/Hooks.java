package io.jrunc.spec;

import java.util.List;

/** The six hook lists (prestart is deprecated but still honoured by runc). */
public record Hooks(
        List<Hook> prestart,
        List<Hook> createRuntime,
        List<Hook> createContainer,
        List<Hook> startContainer,
        List<Hook> poststart,
        List<Hook> poststop) {
}
