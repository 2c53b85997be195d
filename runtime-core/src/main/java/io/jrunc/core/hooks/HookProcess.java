package io.jrunc.core.hooks;

import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.PipeIo;
import io.jrunc.core.sys.SysException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Sees a started hook through, as runc's {@code Command.Run} does: the state goes to its stdin,
 * its stdout and stderr are kept for the error message, and its timeout counts from its start,
 * also while the state is still being written (a hook that never reads a 1 MB state must not
 * hold create past its timeout). One thread multiplexes all of it with {@code poll(2)} over
 * non-blocking pipe ends and a pidfd, so nothing can block on a hook:
 *
 * <ul>
 *   <li>a hook that exits or closes stdin without reading it ends the write ({@code EPIPE}:
 *       the JVM ignores SIGPIPE); a hook without a timeout that reads nothing and never exits
 *       waits forever, as runc's does;</li>
 *   <li>once the hook has exited, what it wrote is drained without waiting for EOF: a process
 *       it left behind may hold its stdout open;</li>
 *   <li>at the timeout the hook's process group is killed (the launcher makes the hook its
 *       leader, so what it started dies with it: runc kills only the hook) and the hook is
 *       reaped.</li>
 * </ul>
 */
public final class HookProcess {
  private HookProcess() {}

  /** How the hook ended: its wait status (0 = exit status 0) and the tails of its output. */
  public record Outcome(int waitStatus, String stdout, String stderr) {}

  private static final int CHUNK = 64 * 1024; // a pipe's default capacity
  private static final int KEEP = 4096; // of each stream, for the error message
  private static final int SLICE_MS = 250; // how often an interrupt is noticed

  /**
   * Feeds {@code state} to the hook {@code pid} (our child, its own process group leader) and
   * waits for it. Takes ownership of the three parent pipe ends and closes each once.
   *
   * @param timeoutSeconds the hook's timeout, null or &le; 0 for none
   * @throws HookRunner.HookException at the timeout (runc's words) or when interrupted, after
   *     the hook was killed and reaped
   */
  public static Outcome supervise(int pid, int stdinFd, int stdoutFd, int stderrFd, byte[] state, Integer timeoutSeconds)
      throws HookRunner.HookException {
    int[] fds = {-1, stdinFd, stdoutFd, stderrFd};
    Tail out = new Tail(), err = new Tail();
    long start = System.nanoTime();
    long deadline = timeoutSeconds != null && timeoutSeconds > 0 ? start + timeoutSeconds * 1_000_000_000L : Long.MAX_VALUE;
    int pidfd = Libc.pidfdOpen(pid);
    try {
      for (int i = 1; i < 4; i++) PipeIo.setNonBlocking(fds[i]);
      int written = 0;
      if (state.length == 0) fds[1] = closed(fds[1]);
      fds[0] = pidfd; // < 0 before Linux 5.3: short polls and wait4 instead
      short[] events = {PipeIo.POLLIN, PipeIo.POLLOUT, PipeIo.POLLIN, PipeIo.POLLIN};
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          killAndReap(pid);
          throw new HookRunner.HookException(String.format(Locale.ROOT, "hook ran past specified timeout of %.1fs",
              (double) timeoutSeconds));
        }
        if (Thread.interrupted()) {
          killAndReap(pid);
          Thread.currentThread().interrupt();
          throw new HookRunner.HookException("interrupted");
        }
        int slice = (int) Math.min((left + 999_999) / 1_000_000, pidfd >= 0 ? SLICE_MS : 10);
        short[] rev = PipeIo.poll(fds, events, slice);
        if (fds[1] >= 0 && rev[1] != 0) {
          int n = PipeIo.writeSome(fds[1], state, written, Math.min(CHUNK, state.length - written));
          if (n > 0) written += n;
          // all written, or the hook closed its stdin (EPIPE): either way, EOF from our side
          if (written == state.length || (n < 0 && n != -Errno.EAGAIN)) fds[1] = closed(fds[1]);
        }
        if (fds[2] >= 0 && rev[2] != 0 && !drain(fds[2], out)) fds[2] = closed(fds[2]);
        if (fds[3] >= 0 && rev[3] != 0 && !drain(fds[3], err)) fds[3] = closed(fds[3]);
        if (pidfd < 0 || rev[0] != 0) {
          int[] w = Libc.wait4(pid, Libc.WNOHANG);
          if (w[0] == pid) {
            if (fds[2] >= 0) drain(fds[2], out);
            if (fds[3] >= 0) drain(fds[3], err);
            return new Outcome(w[1], out.text(), err.text());
          }
        }
      }
    } catch (SysException e) {
      killAndReap(pid);
      throw new HookRunner.HookException(e.getMessage());
    } finally {
      for (int i = 1; i < 4; i++) closed(fds[i]);
      Libc.close(pidfd);
    }
  }

  /** Reads what is there; false at EOF (or an error), true when the pipe is merely empty. */
  private static boolean drain(int fd, Tail into) {
    byte[] buf = new byte[CHUNK];
    while (true) {
      int n = PipeIo.readSome(fd, buf);
      if (n > 0) {
        into.add(buf, n);
        continue;
      }
      return n == -Errno.EAGAIN;
    }
  }

  private static int closed(int fd) {
    Libc.close(fd);
    return -1;
  }

  private static void killAndReap(int pid) {
    Libc.kill(-pid, 9); // the hook's process group: what it started goes too
    Libc.kill(pid, 9);
    try {
      Libc.wait4(pid, 0);
    } catch (SysException ignored) {
      // already reaped
    }
  }

  /** The last {@link #KEEP} bytes of a stream: a chatty hook cannot fill the heap. */
  private static final class Tail {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    void add(byte[] b, int n) {
      buf.write(b, 0, n);
      if (buf.size() > 2 * KEEP) {
        byte[] all = buf.toByteArray();
        buf.reset();
        buf.write(all, all.length - KEEP, KEEP);
      }
    }

    String text() {
      byte[] all = buf.toByteArray();
      int from = Math.max(0, all.length - KEEP);
      return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    }
  }
}
