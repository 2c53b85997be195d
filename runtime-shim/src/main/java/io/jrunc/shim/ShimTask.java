package io.jrunc.shim;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One container of the shim: its init, its exec processes, what the shim mounted for it. */
final class ShimTask {
  final String id;
  final Path bundle;
  final ShimProcess init;
  final Map<String, ShimProcess> execs = new ConcurrentHashMap<>();
  final boolean mountedRootfs;
  /** TaskOOM events published for this task (guarded by the task's monitor). */
  long oomEvents;
  /** Set when init's exit counted the kills: later notifications are among them (guarded likewise). */
  boolean oomCountedAtExit;
  /** The kernel's OOM notifications for the task's cgroup; null when it could not be watched. */
  volatile io.jrunc.core.api.OomWatch oomWatch;

  ShimTask(String id, Path bundle, ShimProcess init, boolean mountedRootfs) {
    this.id = id;
    this.bundle = bundle;
    this.init = init;
    this.mountedRootfs = mountedRootfs;
  }
}
