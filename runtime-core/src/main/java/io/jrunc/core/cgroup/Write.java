package io.jrunc.core.cgroup;

/**
 * One value to write to one cgroup file, and the config field it comes from (for the error).
 *
 * @param controller the controller the file belongs to (v1: the hierarchy it lives in; v2: the
 *     controller that must be enabled for the file to exist, "" for core {@code cgroup.*} files)
 * @param file the file name inside the container's cgroup directory
 * @param value what to write
 * @param field the JSON path of the setting, e.g. {@code linux.resources.memory.limit}
 * @param ignoreMissing the file may legitimately be absent (v2 memory.swap.max without swap)
 */
public record Write(String controller, String file, String value, String field, boolean ignoreMissing) {
  public Write(String controller, String file, String value, String field) {
    this(controller, file, value, field, false);
  }
}
