/**
 * The OCI runtime-spec 1.3.0 (Linux) as Java records, and their JSON mapping.
 *
 * <table>
 *   <caption>Entry points</caption>
 *   <tr><th>Class</th><th>Use</th></tr>
 *   <tr><td>{@link io.jrunc.spec.Spec}, {@link io.jrunc.spec.Process}, {@link io.jrunc.spec.State},
 *       {@link io.jrunc.spec.Features}</td><td>the documents; components named as the JSON
 *       fields, absent = null, {@code withX} copies on the records the CLI edits</td></tr>
 *   <tr><td>{@link io.jrunc.spec.Json}</td><td>read/write; spec records via the generated
 *       streaming codec (fast cold start), anything else via the databind mapper</td></tr>
 *   <tr><td>{@link io.jrunc.spec.validate.Validator}</td><td>every problem at once, as
 *       {@code config.json: /json/pointer: reason}</td></tr>
 *   <tr><td>{@link io.jrunc.spec.DefaultSpecs}</td><td>{@code spec} / {@code spec --rootless}
 *       templates, as runc writes them</td></tr>
 *   <tr><td>{@link io.jrunc.spec.KnownValues}</td><td>closed value sets (capabilities, rlimits,
 *       seccomp names, ...) for validation and the features document</td></tr>
 * </table>
 *
 * <p>Integer typing: Go {@code int}/{@code int32} are {@code Integer}; every other integer is
 * {@code Long}; Go {@code uint64} fields carry {@link io.jrunc.spec.Unsigned64} and hold values
 * above {@link Long#MAX_VALUE} as the same bit pattern.
 */
package io.jrunc.spec;
