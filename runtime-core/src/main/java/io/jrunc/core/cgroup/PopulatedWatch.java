package io.jrunc.core.cgroup;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;

/**
 * Wakes its caller when a cgroup v2 directory's {@code cgroup.events} changes (the kernel
 * rewrites {@code populated} when the last process leaves), instead of a sleep-and-poll loop:
 * for a cgroup that has not emptied within the first 10 ms of polling ({@link Signals}: closing
 * a watch on cgroupfs can wait for an SRCU grace period of the kernel's fsnotify).
 *
 * <p>Through the JDK's {@link WatchService} (inotify, inside the JDK), not an FFM
 * downcall: {@code delete --force} waits here after SIGKILL, and a JVM's first downcall link
 * costs ~20-30 ms of CPU. The kernel reports a change of a kernfs file as {@code IN_MODIFY} on
 * the file and, with its name, on its directory's watch ({@code kernfs_notify}), which is what
 * {@link WatchService} watches. Exists on cgroup v2 and on the hybrid layout's unified
 * hierarchy (which the container joins too); on pure v1 nothing tells of an empty cgroup
 * without a release agent, and the caller polls.
 *
 * <p>The watch only says "look again": callers re-read the cgroup after each wake-up, so a
 * spurious or merged event is harmless. The caller looks once more after opening it, before
 * the first wait, so a change between its last look and the registration is not lost.
 */
final class PopulatedWatch implements AutoCloseable {
  private final WatchService service;

  private PopulatedWatch(WatchService service) {
    this.service = service;
  }

  /**
   * A watch on the cgroup.events of {@code m}'s v2 directory (on hybrid: its unified one), or
   * null when it has none or the watch cannot be set up (the caller then polls).
   */
  static PopulatedWatch open(CgroupManager m) {
    Path dir = m.v2Dir();
    if (dir == null || !Files.isRegularFile(dir.resolve("cgroup.events"))) return null;
    WatchService ws = null;
    try {
      ws = FileSystems.getDefault().newWatchService();
      dir.register(ws, StandardWatchEventKinds.ENTRY_MODIFY);
      return new PopulatedWatch(ws);
    } catch (IOException | UnsupportedOperationException | OutOfMemoryError e) {
      // (OutOfMemoryError: the service's poller thread could not be started, a pids limit say:
      // the caller polls instead)
      if (ws != null) {
        try {
          ws.close();
        } catch (IOException ignored) {
          // nothing was watched
        }
      }
      return null;
    }
  }

  /**
   * Waits until a file of the directory changed, or {@code millis} passed.
   *
   * @return true on a change, false on time-out
   */
  boolean await(long millis) {
    try {
      WatchKey k = service.poll(millis, TimeUnit.MILLISECONDS);
      if (k == null) return false;
      k.pollEvents();
      k.reset();
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ClosedWatchServiceException e) {
      return false;
    }
  }

  @Override
  public void close() {
    try {
      service.close();
    } catch (IOException ignored) {
      // only the JDK's inotify descriptor: nothing to report
    }
  }
}
