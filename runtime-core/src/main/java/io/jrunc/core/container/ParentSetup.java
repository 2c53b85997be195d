package io.jrunc.core.container;

import io.jrunc.core.api.SetupException;
import io.jrunc.spec.LinuxIDMapping;
import io.jrunc.spec.Spec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the parent does for the child while it waits on the sync pipe. */
final class ParentSetup {
  private ParentSetup() {}

  /** Writes uid_map and gid_map of a child in a new user namespace (as root: directly). */
  static void writeIdMaps(int pid, Spec spec) throws SetupException {
    List<LinuxIDMapping> uids = spec.linux() == null ? null : spec.linux().uidMappings();
    List<LinuxIDMapping> gids = spec.linux() == null ? null : spec.linux().gidMappings();
    write(pid, "uid_map", uids);
    write(pid, "gid_map", gids);
  }

  private static void write(int pid, String file, List<LinuxIDMapping> maps) throws SetupException {
    if (maps == null || maps.isEmpty()) return;
    StringBuilder sb = new StringBuilder();
    for (LinuxIDMapping m : maps) {
      sb.append(m.containerID()).append(' ').append(m.hostID()).append(' ').append(m.size()).append('\n');
    }
    Path p = Path.of("/proc", Integer.toString(pid), file);
    try {
      Files.write(p, sb.toString().getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new SetupException("write " + p + " (" + sb.toString().trim().replace('\n', ',') + "): " + e.getMessage(), 0, e);
    }
  }

  static void oomScoreAdj(int pid, Integer adj) throws SetupException {
    if (adj == null) return;
    Path p = Path.of("/proc", Integer.toString(pid), "oom_score_adj");
    try {
      Files.writeString(p, Integer.toString(adj));
    } catch (IOException e) {
      throw new SetupException("set oom_score_adj " + adj + ": " + e.getMessage(), 0, e);
    }
  }
}
