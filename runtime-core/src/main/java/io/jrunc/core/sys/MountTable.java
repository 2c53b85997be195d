package io.jrunc.core.sys;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The text of this process's {@code /proc/self/mountinfo}, read again only when the kernel says
 * the mount table changed. Every create reads it twice (the cgroup mounts, then the rootfs plan:
 * the hierarchies and the mount that holds the rootfs), and on a container host it is long: with
 * 1000 mounts the two reads and parses cost ~5 ms of a create here (28 mounts: ~0.1-0.2 ms).
 *
 * <p>How a change is seen: a descriptor of mountinfo polls {@code POLLPRI | POLLERR} once a
 * mount or unmount changed this mount namespace since the descriptor's last poll (or its open),
 * and that poll takes the event (procfs' {@code mounts_poll}; systemd and libmount watch mounts
 * this way). So each {@link #text} polls first and reads again on an event: a change before the
 * poll is seen by that poll; one after it, by the next. The namespace is the JVM's for its whole
 * life (a process of several threads sharing their fs cannot enter another mount namespace).
 *
 * <table>
 *   <caption>States</caption>
 *   <tr><th>state</th><th>{@link #text}</th></tr>
 *   <tr><td>not watching (until a JVM's first create ends: so every read of a CLI create)</td>
 *       <td>reads the file each time: no descriptor, no downcall (a cold CLI create reads it on
 *       its link thread before the link is done)</td></tr>
 *   <tr><td>watching ({@link #watch}: after a JVM's first create)</td><td>one {@code ppoll};
 *       the kept text while it shows no change, else read again and kept</td></tr>
 * </table>
 *
 * The watch descriptor is {@code O_CLOEXEC}, and a spawned child keeps only the descriptors its
 * program names (Spawner): no container or hook sees it.
 */
public final class MountTable {
  private MountTable() {}

  private static final Path FILE = Path.of("/proc/self/mountinfo");
  private static final short POLLPRI = 0x2;

  /** The watch descriptor, or -1. Guarded by the class. */
  private static int watch = -1;
  /** The last text read while watching (valid until the watch polls an event), or null. Guarded by the class. */
  private static String kept;

  /** The mount table's text now: the kept one when the kernel says nothing changed since it was read. */
  public static String text() throws IOException {
    synchronized (MountTable.class) {
      if (watch >= 0) {
        // an event (POLLPRI or POLLERR), or a failed poll: read again
        if (kept != null && Libc.pollNow(watch, POLLPRI) == 0) return kept;
        kept = null;
        String t = read();
        kept = t;
        return t;
      }
    }
    return read(); // not watching: outside the lock, so that two threads of a CLI call read at once
  }

  /**
   * Starts watching, once per JVM (later calls do nothing): for a JVM that makes more than one
   * container, called after its first create. A failed open leaves it reading each time.
   */
  public static synchronized void watch() {
    if (watch >= 0) return;
    int fd = Libc.openRaw(FILE.toString(), Open.O_RDONLY | Open.O_CLOEXEC, 0);
    if (fd < 0) return;
    watch = fd;
    kept = null; // anything read before the open may be older than the watch's starting point
  }

  private static String read() throws IOException {
    return BoundedFile.readKernelFile(FILE, BoundedFile.KERNEL_LIMIT);
  }
}
