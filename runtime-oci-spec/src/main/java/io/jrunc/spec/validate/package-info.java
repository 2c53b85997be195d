/**
 * Validation of config.json and exec process documents: JSON Schema (optional, loaded lazily)
 * plus semantic rules, all problems reported at once. The lifecycle ({@code create}) should use
 * {@link io.jrunc.spec.validate.ValidationOptions#forCreate()} (no schema: microseconds once
 * warm); {@code jrunc validate} uses {@link io.jrunc.spec.validate.ValidationOptions#full()}.
 */
package io.jrunc.spec.validate;
