package io.jrunc.spec;

/** The root filesystem: path (absolute or relative to the bundle) and readonly. */
public record Root(String path, Boolean readonly) {
}
