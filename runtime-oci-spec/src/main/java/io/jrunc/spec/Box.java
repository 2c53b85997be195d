package io.jrunc.spec;

/** Console size in characters (uint). */
public record Box(Long height, Long width) {
}
