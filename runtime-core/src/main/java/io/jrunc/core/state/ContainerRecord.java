package io.jrunc.core.state;

import java.util.Map;

/**
 * What the runtime remembers about one container between CLI calls, in
 * {@code <root>/<id>/state.json}. The spec itself is kept beside it as {@code config.json}
 * (exec and delete need it even if the bundle changed or is gone).
 *
 * @param pid the init process's pid on the host
 * @param pidStartTime field 22 of {@code /proc/<pid>/stat} when the init started: a recycled
 *     pid has another start time, so it is never mistaken for the container
 * @param cgroup the cgroup manager's saved state (re-opened by later calls)
 * @param namespacePaths {@code /proc/<pid>/ns/<type>} is enough while init lives; kept for exec
 * @param hooks whether the saved config.json has a {@code hooks} object: when false, start and
 *     delete need not read it (1-3 ms of a cold call); null when unknown (a record written before
 *     this field), and they read it as before
 */
public record ContainerRecord(
    String id,
    String bundle,
    String rootfs,
    int pid,
    long pidStartTime,
    String created,
    String owner,
    Map<String, String> annotations,
    String ociVersion,
    Map<String, String> cgroup,
    boolean systemdCgroup,
    boolean rootless,
    boolean ownPidNamespace,
    Boolean hooks) {

  /** A record that does not say whether the config has hooks ({@code hooks} null). */
  public ContainerRecord(String id, String bundle, String rootfs, int pid, long pidStartTime, String created,
      String owner, Map<String, String> annotations, String ociVersion, Map<String, String> cgroup,
      boolean systemdCgroup, boolean rootless, boolean ownPidNamespace) {
    this(id, bundle, rootfs, pid, pidStartTime, created, owner, annotations, ociVersion, cgroup, systemdCgroup,
        rootless, ownPidNamespace, null);
  }
}
