package io.jrunc.core.container;

import io.jrunc.core.api.SetupException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the parent does for the child while it waits on the sync pipe. */
final class ParentSetup {
  private ParentSetup() {}

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
