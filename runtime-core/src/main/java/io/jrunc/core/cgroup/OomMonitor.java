package io.jrunc.core.cgroup;

import io.jrunc.core.log.Logs;
import io.jrunc.core.sys.KernelEvents;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.SysException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * OOM notifications from the kernel, for many cgroups on one thread: no poll. Each watched
 * cgroup contributes one fd to an epoll set that a single daemon thread ("jrunc-oom") waits on;
 * the thread starts with the first watch and ends, closing its fds, when the last watch ends.
 *
 * <table>
 *   <caption>What is watched, per hierarchy that holds the memory controller</caption>
 *   <tr><th>layout</th><th>armed with</th><th>an OOM is</th><th>the cgroup is gone when</th></tr>
 *   <tr><td>v1, hybrid (the v1 {@code memory} hierarchy)</td>
 *       <td>an eventfd, and {@code "<eventfd> <fd of memory.oom_control>"} written to
 *       {@code cgroup.event_control} (cgroup-v1/memory.rst, "OOM Control"; what runc does)</td>
 *       <td>the eventfd's counter: the kernel signals it each time the cgroup hits its limit
 *       and the OOM killer runs</td>
 *       <td>the kernel signals the same eventfd on rmdir: told apart by
 *       {@code cgroup.event_control} no longer existing</td></tr>
 *   <tr><td>v2</td><td>inotify IN_MODIFY on {@code memory.events} and {@code cgroup.events}
 *       (kernfs notifies on every change of either)</td>
 *       <td>{@code oom} or {@code oom_kill} in {@code memory.events} rose</td>
 *       <td>{@code cgroup.events} says {@code populated 0} (no process left, so no OOM can
 *       come), or the files are gone</td></tr>
 * </table>
 *
 * <p>An OOM that happens before {@link #watch} is not reported: callers that must not miss one
 * (the shim, before TaskExit) also compare {@link CgroupManager#oomKillCount()} at exit.
 */
public final class OomMonitor {
  /**
   * Looked up where a line is written, not kept in a static field: every runtime (every CLI
   * call) makes an OomMonitor, and the first getLogger of a JVM bootstraps SLF4J.
   */
  private static Logger log() {
    return Logs.get(OomMonitor.class);
  }

  private static final long WAKE = 0;

  /** Called on the monitor's thread; must not block. */
  public interface Listener {
    /** The kernel reported an OOM in the cgroup. */
    void oom();

    /** The cgroup emptied or went away: no more calls follow. */
    void ended();
  }

  /** One cgroup being watched; closing it stops the watch (idempotent, never fails). */
  public final class Watch implements AutoCloseable {
    private final long token;
    private final String what;
    private final Listener listener;
    private final int fd; // eventfd (v1) or inotify fd (v2): the one in the epoll set
    private final int keepFd; // v1: memory.oom_control, open for as long as the registration
    private final Path dir;
    private final boolean v2;
    private long lastCount;

    private Watch(long token, String what, Listener l, int fd, int keepFd, Path dir, boolean v2, long count) {
      this.token = token;
      this.what = what;
      this.listener = l;
      this.fd = fd;
      this.keepFd = keepFd;
      this.dir = dir;
      this.v2 = v2;
      this.lastCount = count;
    }

    @Override
    public void close() {
      remove(this);
    }
  }

  private final Map<Long, Watch> watches = new HashMap<>();
  private long nextToken = 1;
  private int epfd = -1, wakeFd = -1;
  private Thread thread;

  /**
   * Starts watching the cgroup whose hierarchies are {@code paths} ({@link
   * CgroupManager#paths()}); {@code what} names it in errors.
   *
   * @throws CgroupException when no hierarchy has the memory controller, or arming fails
   */
  public Watch watch(Map<String, String> paths, String what, Listener listener) throws CgroupException {
    String v1 = paths.get("memory"), v2 = paths.get("");
    if (v1 == null && (v2 == null || !Files.exists(Path.of(v2, "memory.events")))) {
      throw new CgroupException("watch OOM events of " + what + ": the cgroup has no memory controller");
    }
    synchronized (this) {
      try {
        startThread();
        long token = nextToken++;
        Watch w = v1 != null ? armV1(token, what, listener, Path.of(v1)) : armV2(token, what, listener, Path.of(v2));
        try {
          KernelEvents.epollAdd(epfd, w.fd, token);
        } catch (SysException e) {
          closeFds(w);
          throw e;
        }
        watches.put(token, w);
        return w;
      } catch (SysException e) {
        stopIfIdle();
        throw new CgroupException("watch OOM events of " + what + ": " + e.getMessage(), e);
      }
    }
  }

  /** How many cgroups are watched (for tests and diagnostics). */
  public synchronized int size() {
    return watches.size();
  }

  private Watch armV1(long token, String what, Listener l, Path dir) throws SysException {
    int efd = KernelEvents.eventfd();
    int ofd = -1;
    try {
      ofd = Libc.open(dir.resolve("memory.oom_control").toString(), Open.O_RDONLY | Open.O_CLOEXEC, 0);
      int cfd = Libc.open(dir.resolve("cgroup.event_control").toString(), Open.O_WRONLY | Open.O_CLOEXEC, 0);
      try {
        Libc.write(cfd, (efd + " " + ofd).getBytes(StandardCharsets.US_ASCII));
      } finally {
        Libc.close(cfd);
      }
      return new Watch(token, what, l, efd, ofd, dir, false, 0);
    } catch (SysException e) {
      Libc.close(efd);
      Libc.close(ofd);
      throw e;
    }
  }

  private Watch armV2(long token, String what, Listener l, Path dir) throws SysException {
    int ifd = KernelEvents.inotify();
    try {
      KernelEvents.addWatch(ifd, dir.resolve("memory.events").toString(), KernelEvents.IN_MODIFY);
      KernelEvents.addWatch(ifd, dir.resolve("cgroup.events").toString(), KernelEvents.IN_MODIFY);
    } catch (SysException e) {
      Libc.close(ifd);
      throw e;
    }
    return new Watch(token, what, l, ifd, -1, dir, true, v2Count(dir));
  }

  /**
   * memory.events' oom (the limit was hit and the OOM killer ran) plus oom_kill (processes it
   * killed): a rise of either is reported, once per notification, since an OOM need not kill
   * (the allocating task may exit first) and a kill may be counted a moment after its oom.
   */
  private static long v2Count(Path dir) {
    Map<String, Long> ev = FsSupport.readKeyed(dir, "memory.events");
    return ev.getOrDefault("oom", 0L) + ev.getOrDefault("oom_kill", 0L);
  }

  private void startThread() throws SysException {
    if (thread != null) return;
    epfd = KernelEvents.epollCreate();
    try {
      wakeFd = KernelEvents.eventfd();
      KernelEvents.epollAdd(epfd, wakeFd, WAKE);
    } catch (SysException e) {
      Libc.close(wakeFd);
      Libc.close(epfd);
      wakeFd = epfd = -1;
      throw e;
    }
    int ep = epfd;
    thread = Thread.ofPlatform().daemon().name("jrunc-oom").start(() -> loop(ep));
  }

  /** With no watch left: wake the thread so it closes the epoll set and ends. */
  private void stopIfIdle() {
    if (!watches.isEmpty() || thread == null) return;
    try {
      KernelEvents.signal(wakeFd);
    } catch (SysException e) {
      log().debug("wake the OOM monitor: {}", e.getMessage());
    }
  }

  private synchronized void remove(Watch w) {
    if (watches.remove(w.token) == null) return;
    KernelEvents.epollDel(epfd, w.fd);
    closeFds(w);
    stopIfIdle();
  }

  private static void closeFds(Watch w) {
    Libc.close(w.fd);
    Libc.close(w.keepFd);
  }

  private void loop(int ep) {
    while (true) {
      long[] ready;
      try {
        ready = KernelEvents.epollWait(ep, 16, -1);
      } catch (SysException e) {
        log().warn("OOM monitor: {}", e.getMessage());
        ready = new long[] {WAKE};
      }
      for (long token : ready) {
        if (token == WAKE) {
          synchronized (this) {
            drain(wakeFd);
            if (watches.isEmpty()) {
              Libc.close(wakeFd);
              Libc.close(epfd);
              wakeFd = epfd = -1;
              thread = null;
              return;
            }
          }
          continue;
        }
        Watch w;
        int ooms;
        boolean ended;
        synchronized (this) {
          w = watches.get(token);
          if (w == null) continue; // closed while we woke: its fds are closed, the token never reused
          long[] r = w.v2 ? checkV2(w) : checkV1(w);
          ooms = (int) r[0];
          ended = r[1] != 0;
          if (ended) remove(w);
        }
        // outside the lock: a listener may close other watches or start new ones
        try {
          for (int i = 0; i < ooms; i++) w.listener.oom();
          if (ended) w.listener.ended();
        } catch (RuntimeException e) {
          log().warn("OOM listener of {} failed", w.what, e);
        }
      }
    }
  }

  private static void drain(int efd) {
    try {
      KernelEvents.readCounter(efd);
    } catch (SysException e) {
      log().debug("read eventfd: {}", e.getMessage());
    }
  }

  /** {OOMs to report, 1 if the cgroup is gone}. */
  private static long[] checkV1(Watch w) {
    long n;
    try {
      n = KernelEvents.readCounter(w.fd);
    } catch (SysException e) {
      return new long[] {0, 1};
    }
    // the eventfd is also signalled when the cgroup is removed (memcg_event_remove): then
    // cgroup.event_control is gone with the directory, and that signal is not an OOM
    if (!Files.exists(w.dir.resolve("cgroup.event_control"))) return new long[] {Math.max(0, n - 1), 1};
    return new long[] {n, 0};
  }

  private static long[] checkV2(Watch w) {
    int masks;
    try {
      masks = KernelEvents.drainInotify(w.fd);
    } catch (SysException e) {
      return new long[] {0, 1};
    }
    long now = v2Count(w.dir);
    long ooms = Math.max(0, now - w.lastCount);
    w.lastCount = Math.max(now, w.lastCount);
    boolean gone = (masks & (KernelEvents.IN_IGNORED | KernelEvents.IN_DELETE_SELF)) != 0
        || !Files.exists(w.dir.resolve("cgroup.events"))
        || FsSupport.readKeyed(w.dir, "cgroup.events").getOrDefault("populated", 1L) == 0;
    // each rise is one event to the listener, as runc reports one per notification
    return new long[] {ooms > 0 ? 1 : 0, gone ? 1 : 0};
  }

}
