package io.jrunc.cli.command;

import io.jrunc.core.api.Stdio;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A foreground {@code run} or {@code exec} without a terminal: the caller's stdio that is a
 * terminal or a file reaches the container through pipes that this JVM copies, as runc's
 * setupProcessPipes does, never as the caller's own descriptor. Handed over, a terminal let a
 * container with CAP_SYS_ADMIN push input into the caller's shell (TIOCSTI: the shell ran it as
 * host root once the container ended), and a file its other content be read back through
 * {@code /proc/self/fd/1}. A pipe, a socket and /dev/null, what engines, supervisors and
 * scripts pass, hold nothing more of the host: they are handed over as they are, with no copy.
 *
 * <table>
 *   <caption>Use</caption>
 *   <tr><th>when</th><th>call</th></tr>
 *   <tr><td>before create/exec</td><td>{@link #plan()}: the Stdio to ask for, null when
 *       nothing is relayed</td></tr>
 *   <tr><td>once created</td><td>{@code start}: a daemon thread per relayed stream; stdin's
 *       EOF closes the container's stdin</td></tr>
 *   <tr><td>after it exited</td><td>{@link #awaitOutput}: its last output reaches the caller
 *       (bounded: a background process may hold the pipe)</td></tr>
 * </table>
 */
final class StdioRelay {
  private final boolean[] relayed;
  private final Thread[] output = new Thread[2];

  private StdioRelay(boolean[] relayed) {
    this.relayed = relayed;
  }

  /** The streams to relay, or null when each of fds 0-2 is a pipe, a socket, /dev/null or closed. */
  static StdioRelay plan() {
    boolean[] r = new boolean[3];
    boolean any = false;
    for (int fd = 0; fd < 3; fd++) {
      r[fd] = needsRelay(fd);
      any |= r[fd];
    }
    return any ? new StdioRelay(r) : null;
  }

  /** Each of fds 0-2 by name: no string concatenation (its first call site's bootstrap cost a cold run ~1 ms). */
  private static final String[] FD_PATHS = {"/proc/self/fd/0", "/proc/self/fd/1", "/proc/self/fd/2"};

  /** What of the caller's is not handed over as it is (/proc/self/fd names its kind). */
  static boolean needsRelay(int fd) {
    String target;
    try {
      target = Files.readSymbolicLink(Path.of(FD_PATHS[fd])).toString();
    } catch (IOException | RuntimeException closed) {
      return false;
    }
    return !(target.startsWith("pipe:") || target.startsWith("socket:") || target.equals("/dev/null"));
  }

  /** The container's stdio: a pipe for what is relayed, the caller's own for the rest. */
  Stdio stdio() {
    return new Stdio(stream(0), stream(1), stream(2));
  }

  private Stdio.Stream stream(int fd) {
    return relayed[fd] ? new Stdio.Pipe() : new Stdio.Inherit();
  }

  void start(io.jrunc.core.api.Container c) throws IOException {
    start(relayed[0] ? c.stdin() : null, c::closeStdin, relayed[1] ? c.stdout() : null, relayed[2] ? c.stderr() : null);
  }

  void start(io.jrunc.core.api.ContainerProcess p) throws IOException {
    start(relayed[0] ? p.stdin() : null, p::closeStdin, relayed[1] ? p.stdout() : null, relayed[2] ? p.stderr() : null);
  }

  private void start(OutputStream in, Runnable closeIn, InputStream out, InputStream err) {
    if (out != null) output[0] = copy("stdout", out, new FileOutputStream(FileDescriptor.out), out);
    if (err != null) output[1] = copy("stderr", err, new FileOutputStream(FileDescriptor.err), err);
    // stdin's EOF: the container's end closes too (its pipe has no other writer then)
    if (in != null) {
      copy("stdin", new FileInputStream(FileDescriptor.in), in, () -> {
        close(in);
        closeIn.run();
      });
    }
  }

  /** Waits up to {@code max} for the relayed output to end (the container's side closed). */
  void awaitOutput(Duration max) throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    for (Thread t : output) {
      if (t == null) continue;
      long left = end - System.nanoTime();
      if (left <= 0 || !t.join(Duration.ofNanos(left))) return;
    }
  }

  /**
   * A daemon thread copying {@code from} to {@code to} until EOF, then closing {@code ours} (the
   * container's end): never this JVM's own stdio, on which the command still reports its
   * errors.
   */
  private static Thread copy(String what, InputStream from, OutputStream to, java.io.Closeable ours) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16384];
      try {
        for (int n; (n = from.read(buf)) > 0; ) {
          to.write(buf, 0, n);
          to.flush();
        }
      } catch (IOException ended) {
        // the other side went away (EPIPE, a closed terminal): nothing left to copy
      } finally {
        close(ours);
      }
    }, "jrunc-relay-" + what);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void close(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // an end of a pipe: nothing to flush
    }
  }
}
