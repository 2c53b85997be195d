package io.jrunc.spec.validate;

/**
 * What to check.
 *
 * @param schema         also check against the JSON Schema (loads the schema validator on first
 *                       use, tens of ms; the semantic checks alone are microseconds)
 * @param systemdCgroup  the systemd cgroup driver is on, so {@code linux.cgroupsPath} must be
 *                       {@code slice:prefix:name}
 * @param requireProcess the config is about to be run ({@code create}/{@code run}): process with
 *                       a non-empty args is REQUIRED (config.md)
 * @param fileName       name used in messages
 */
public record ValidationOptions(boolean schema, boolean systemdCgroup, boolean requireProcess, String fileName) {

    /** Everything, for {@code jrunc validate}: schema on, process required. */
    public static ValidationOptions full() {
        return new ValidationOptions(true, false, true, "config.json");
    }

    /** The lifecycle path ({@code create}): cheap semantic checks only, process required. */
    public static ValidationOptions forCreate() {
        return new ValidationOptions(false, false, true, "config.json");
    }

    public ValidationOptions withSchema(boolean on) {
        return new ValidationOptions(on, systemdCgroup, requireProcess, fileName);
    }

    public ValidationOptions withSystemdCgroup(boolean on) {
        return new ValidationOptions(schema, on, requireProcess, fileName);
    }

    public ValidationOptions withRequireProcess(boolean on) {
        return new ValidationOptions(schema, systemdCgroup, on, fileName);
    }

    public ValidationOptions withFileName(String name) {
        return new ValidationOptions(schema, systemdCgroup, requireProcess, name);
    }
}
