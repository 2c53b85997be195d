package io.jrunc.shim;

import com.google.protobuf.Timestamp;
import io.jrunc.core.api.ContainerProcess;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/** A task's init ({@code execId} "") or one of its exec processes, as the shim tracks it. */
final class ShimProcess {
  enum Phase { CREATED, RUNNING, STOPPED }

  final String execId;
  final ProcessIo io;
  /** For an exec process: its spec, run at Start. */
  final io.jrunc.spec.Process spec;
  volatile int pid;
  volatile Phase phase = Phase.CREATED;
  volatile int exitStatus;
  volatile Instant exitedAt;
  volatile ContainerProcess handle;
  final CompletableFuture<Void> exited = new CompletableFuture<>();
  /**
   * Held by Start from the runtime's start to its TaskStart event: the exit of an init that
   * fails its execve right after start is reaped meanwhile, and its TaskExit waits for this, so
   * containerd hears of the start first.
   */
  final Object starting = new Object();

  ShimProcess(String execId, ProcessIo io, io.jrunc.spec.Process spec) {
    this.execId = execId;
    this.io = io;
    this.spec = spec;
  }

  boolean isInit() {
    return execId.isEmpty();
  }

  synchronized void markExited(int exitCode) {
    if (phase == Phase.STOPPED) return;
    exitStatus = exitCode;
    exitedAt = Instant.now();
    phase = Phase.STOPPED;
  }

  Timestamp exitedAtProto() {
    Instant t = exitedAt;
    if (t == null) return Timestamp.getDefaultInstance();
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }
}
