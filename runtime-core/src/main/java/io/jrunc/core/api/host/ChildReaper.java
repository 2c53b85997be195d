package io.jrunc.core.api.host;

import io.jrunc.core.log.Logs;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.PipeIo;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.sys.SysException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;
import java.util.stream.Stream;
import org.slf4j.Logger;

/**
 * Reaps the children of a process that supervises containers (a shim): their init and exec
 * processes (created with {@code withDetach(true)}), registered with {@link #watch}, and, when
 * started with {@code reapOrphans} in a child subreaper ({@link #becomeSubreaper()}), the
 * orphans it inherits, e.g. daemons of a container without a pid namespace.
 *
 * <p>Registered processes are watched through a pidfd each (readable when the process exits,
 * Linux 5.3), polled together with a wake-up pipe, and reaped by pid: the exit is known at once
 * and its code goes to the process's callback. Nothing here waits for "any child": the runtime
 * waits for its own short-lived children (hooks, helpers) by pid during a call, and a
 * {@code wait(-1)} would steal their statuses. Orphans instead are found by a sweep once a second
 * through {@code /proc/self/task/*\/children} and reaped only when they have been zombies that
 * nobody claimed for a whole sweep.
 */
public final class ChildReaper implements AutoCloseable {
  private static final Logger LOG = Logs.get(ChildReaper.class);
  private static final int SWEEP_MILLIS = 1000;
  /** prctl(2): PR_SET_CHILD_SUBREAPER (Linux 3.4). */
  private static final int PR_SET_CHILD_SUBREAPER = 36;
  /** The exit code reported when a watched child was reaped elsewhere (runc's shim: a kill). */
  public static final int LOST_EXIT_CODE = 137;

  private record Watch(int pid, int pidfd, IntConsumer onExit) {}

  private final Map<Integer, Watch> watches = new ConcurrentHashMap<>();
  private final int[] wake;
  private final boolean reapOrphans;
  private volatile boolean closed;
  private Set<Integer> zombiesSeen = new HashSet<>();

  private ChildReaper(int[] wake, boolean reapOrphans) {
    this.wake = wake;
    this.reapOrphans = reapOrphans;
  }

  /**
   * Starts the reaper's thread (a daemon, named "reaper"). With {@code reapOrphans} it also
   * reaps any child that stayed an unclaimed zombie for a whole sweep: only for a process
   * whose every other child is waited for at once (a shim), since a status collected late by
   * its owner would be lost.
   */
  public static ChildReaper start(boolean reapOrphans) throws IOException {
    int[] wake = Libc.pipe2(Open.O_CLOEXEC | Open.O_NONBLOCK);
    ChildReaper r = new ChildReaper(wake, reapOrphans);
    Thread.ofPlatform().daemon().name("reaper").start(r::loop);
    return r;
  }

  /**
   * {@code prctl(PR_SET_CHILD_SUBREAPER, 1)}: orphans of this process's descendants (daemons
   * of its containers) are reparented to it, not to init, so {@link ChildReaper} sees them.
   */
  public static void becomeSubreaper() throws IOException {
    Libc.syscall("prctl PR_SET_CHILD_SUBREAPER", null, Sys.PRCTL, PR_SET_CHILD_SUBREAPER, 1);
  }

  /**
   * {@code setsid()}: a session of its own, so the supervisor outlives its starter's terminal
   * and process group. Returns false when this process already leads a process group (EPERM),
   * which is as good.
   */
  public static boolean newSession() throws IOException {
    try {
      Libc.syscall("setsid", null, Sys.SETSID);
      return true;
    } catch (SysException e) {
      if (e.errno() == Errno.EPERM) return false;
      throw e;
    }
  }

  /** The exit code a shell reports for a wait status: the status, or 128 + signal. */
  public static int exitCode(int waitStatus) {
    return Libc.exitCode(waitStatus);
  }

  /**
   * Calls {@code onExit} with the exit code (the status, or 128 + signal) when {@code pid} (an
   * unreaped child of this process, possibly already a zombie) exits. The call comes from the
   * reaper's thread.
   */
  public void watch(int pid, IntConsumer onExit) throws IOException {
    if (closed) throw new IllegalStateException("the reaper is closed");
    int fd = Libc.pidfdOpen(pid);
    if (fd < 0) throw new SysException("pidfd_open", "pid " + pid, -fd);
    watches.put(pid, new Watch(pid, fd, onExit));
    PipeIo.writeSome(wake[1], new byte[] {1}, 0, 1);
  }

  /** Stops the thread; watched processes that did not exit yet are no longer reported. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    PipeIo.writeSome(wake[1], new byte[] {1}, 0, 1);
  }

  private void loop() {
    long nextSweep = System.currentTimeMillis() + SWEEP_MILLIS;
    while (!closed) {
      try {
        Watch[] ws = watches.values().toArray(Watch[]::new);
        int[] fds = new int[ws.length + 1];
        short[] ev = new short[fds.length];
        fds[0] = wake[0];
        ev[0] = PipeIo.POLLIN;
        for (int i = 0; i < ws.length; i++) {
          fds[i + 1] = ws[i].pidfd();
          ev[i + 1] = PipeIo.POLLIN;
        }
        int timeout = (int) Math.max(0, nextSweep - System.currentTimeMillis());
        short[] rev = PipeIo.poll(fds, ev, timeout);
        if (rev[0] != 0) PipeIo.readSome(wake[0], new byte[64]);
        for (int i = 0; i < ws.length; i++) {
          if (rev[i + 1] != 0) reap(ws[i]);
        }
        if (reapOrphans && System.currentTimeMillis() >= nextSweep) {
          sweepOrphans();
          nextSweep = System.currentTimeMillis() + SWEEP_MILLIS;
        }
      } catch (SysException | RuntimeException e) {
        LOG.warn("reaper: {}", e.getMessage());
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          break;
        }
      }
    }
    for (Watch w : watches.values()) Libc.close(w.pidfd());
    watches.clear();
    Libc.close(wake[0]);
    Libc.close(wake[1]);
  }

  private void reap(Watch w) {
    int code;
    try {
      int[] r = Libc.wait4(w.pid(), Libc.WNOHANG);
      if (r[0] == 0) return; // readable but not yet waitable: next round
      code = Libc.exitCode(r[1]);
    } catch (SysException e) {
      // ECHILD: someone else reaped it; the status is lost, report a kill as runc's shim does
      code = LOST_EXIT_CODE;
    }
    watches.remove(w.pid());
    Libc.close(w.pidfd());
    try {
      w.onExit().accept(code);
    } catch (RuntimeException e) {
      LOG.warn("exit of pid {}: {}", w.pid(), e.toString());
    }
  }

  private void sweepOrphans() {
    Set<Integer> zombies = new HashSet<>();
    for (int pid : children()) {
      if (watches.containsKey(pid)) continue;
      if (isZombie(pid)) zombies.add(pid);
    }
    for (int pid : zombies) {
      if (zombiesSeen.contains(pid)) {
        try {
          Libc.wait4(pid, Libc.WNOHANG);
        } catch (SysException e) {
          // already reaped by whoever spawned it
        }
      }
    }
    zombiesSeen = zombies;
  }

  private static Set<Integer> children() {
    Set<Integer> out = new HashSet<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          for (String s : Files.readString(t.resolve("children")).trim().split("\\s+")) {
            if (!s.isEmpty()) out.add(Integer.parseInt(s));
          }
        } catch (IOException | NumberFormatException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      LOG.debug("list children: {}", e.getMessage());
    }
    return out;
  }

  private static boolean isZombie(int pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      int close = stat.lastIndexOf(')');
      return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
    } catch (IOException e) {
      return false;
    }
  }
}
