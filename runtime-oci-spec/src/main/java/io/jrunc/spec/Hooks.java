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

    /** A copy with {@code prestart} replaced. */
    public Hooks withPrestart(List<Hook> prestart) {
        return new Hooks(prestart, createRuntime, createContainer, startContainer, poststart, poststop);
    }

    /** A copy with {@code createRuntime} replaced. */
    public Hooks withCreateRuntime(List<Hook> createRuntime) {
        return new Hooks(prestart, createRuntime, createContainer, startContainer, poststart, poststop);
    }

    /** A copy with {@code createContainer} replaced. */
    public Hooks withCreateContainer(List<Hook> createContainer) {
        return new Hooks(prestart, createRuntime, createContainer, startContainer, poststart, poststop);
    }

    /** A copy with {@code startContainer} replaced. */
    public Hooks withStartContainer(List<Hook> startContainer) {
        return new Hooks(prestart, createRuntime, createContainer, startContainer, poststart, poststop);
    }

    /** A copy with {@code poststart} replaced. */
    public Hooks withPoststart(List<Hook> poststart) {
        return new Hooks(prestart, createRuntime, createContainer, startContainer, poststart, poststop);
    }

    /** A copy with {@code poststop} replaced. */
    public Hooks withPoststop(List<Hook> poststop) {
        return new Hooks(prestart, createRuntime, createContainer, startContainer, poststart, poststop);
    }
}
