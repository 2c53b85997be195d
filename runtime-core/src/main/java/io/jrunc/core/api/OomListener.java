package io.jrunc.core.api;

/**
 * Receives a container's OOM events from {@link ContainerRuntime#watchOom}. Called on the
 * runtime's one OOM thread, which serves every watch of the runtime: return quickly and do not
 * block (hand work to another thread).
 */
public interface OomListener {
  /** The kernel reported that the container's cgroup ran out of memory (runc's "oom" event). */
  void oom(String id);

  /** The container's cgroup emptied or was removed: the watch has ended and no call follows. */
  default void ended(String id) {}
}
