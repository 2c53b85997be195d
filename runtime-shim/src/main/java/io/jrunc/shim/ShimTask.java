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
  volatile long oomKillsSeen;

  ShimTask(String id, Path bundle, ShimProcess init, boolean mountedRootfs) {
    this.id = id;
    this.bundle = bundle;
    this.init = init;
    this.mountedRootfs = mountedRootfs;
  }
}
