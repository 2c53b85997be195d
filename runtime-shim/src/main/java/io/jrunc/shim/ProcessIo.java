package io.jrunc.shim;

import io.jrunc.core.api.Stdio;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.SysException;
import io.jrunc.core.sys.Termios;
import io.jrunc.core.terminal.TerminalRelay;
import io.jrunc.shim.ttrpc.RpcException;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One process's standard streams as containerd hands them over: paths of FIFOs it reads and
 * writes ({@code cio}), {@code file:///path} (append to a file) or empty (nothing). The
 * process gets the FIFOs themselves, not a copy loop in the shim:
 *
 * <table>
 *   <caption>What the process's fds are</caption>
 *   <tr><th>stream</th><th>no terminal</th><th>terminal</th></tr>
 *   <tr><td>stdout, stderr</td><td>the FIFO, reopened write-only through
 *       {@code /proc/self/fd/N} of an {@code O_RDWR} fd the shim holds (so the open never
 *       blocks and a reader that goes away does not SIGPIPE the process; the shim's fd is
 *       closed when the process exits, which gives containerd its EOF)</td><td>the pty: a
 *       thread copies the master to the stdout FIFO until EIO</td></tr>
 *   <tr><td>stdin</td><td>a pipe: a thread copies the FIFO into it and closes it at the FIFO's
 *       EOF or on CloseIO, which is the process's EOF</td><td>a thread copies the FIFO into the
 *       master</td></tr>
 * </table>
 *
 * {@code binary://} loggers are refused (UNIMPLEMENTED): they need descriptors 3-5 passed to a
 * logger process.
 */
final class ProcessIo implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ProcessIo.class.getName());
  private static final Stdio.ToFile DEV_NULL = new Stdio.ToFile(Path.of("/dev/null"));

  final String stdinPath, stdoutPath, stderrPath;
  final boolean terminal;
  private final List<Integer> heldFds = new ArrayList<>();
  private Stdio stdio;
  private TerminalRelay relay;
  private int master = -1;
  private int stdinPipeRead = -1;
  private int stdinPipeWrite = -1;
  private boolean copying;
  private boolean writing;
  private int ttyOut = -1;
  private final CountDownLatch outputDone = new CountDownLatch(1);

  private ProcessIo(String stdin, String stdout, String stderr, boolean terminal) {
    this.stdinPath = stdin;
    this.stdoutPath = stdout;
    this.stderrPath = stderr;
    this.terminal = terminal;
  }

  /** Opens what must exist before the process is created; on failure nothing stays open. */
  static ProcessIo open(String stdin, String stdout, String stderr, boolean terminal) throws RpcException {
    ProcessIo io = new ProcessIo(stdin, stdout, stderr, terminal);
    try {
      if (terminal) {
        io.relay = TerminalRelay.prepare();
        io.stdio = new Stdio(DEV_NULL, DEV_NULL, DEV_NULL);
        if (!stdout.isEmpty()) io.ttyOut = io.holdFifo(stdout, "stdout");
      } else {
        Stdio.Stream in = DEV_NULL;
        if (!stdin.isEmpty()) {
          int[] p = Libc.pipe2(Open.O_CLOEXEC);
          io.stdinPipeRead = p[0];
          io.stdinPipeWrite = p[1];
          in = new Stdio.ToFile(Path.of("/proc/self/fd/" + p[0]));
        }
        io.stdio = new Stdio(in, io.output(stdout, "stdout"), io.output(stderr, "stderr"));
      }
      return io;
    } catch (SysException e) {
      io.close();
      throw new RpcException(RpcException.INTERNAL, "open the process's io: " + e.getMessage(), e);
    } catch (RpcException e) {
      io.close();
      throw e;
    }
  }

  private Stdio.Stream output(String uri, String which) throws SysException, RpcException {
    if (uri.isEmpty()) return DEV_NULL;
    if (uri.startsWith("file://")) return new Stdio.ToFile(Path.of(URI.create(uri).getPath()));
    if (uri.contains("://")) {
      throw new RpcException(RpcException.UNIMPLEMENTED, which + " " + uri
          + ": this shim takes FIFO paths and file:// URIs only (binary:// loggers are not supported)");
    }
    return new Stdio.ToFile(Path.of("/proc/self/fd/" + holdFifo(uri, which)));
  }

  private int holdFifo(String path, String which) throws SysException {
    // O_RDWR on a FIFO never blocks (fifo(7)), whether or not containerd has its reader open yet
    int fd = Libc.open(path, Open.O_RDWR | Open.O_CLOEXEC, 0);
    heldFds.add(fd);
    return fd;
  }

  Stdio stdio() {
    return stdio;
  }

  /** The console socket for the create/exec call (the child sends the pty master on it), or -1. */
  int consoleFd() {
    return relay == null ? -1 : relay.childSocketFd();
  }

  /** After create/exec returned: take the pty master and start the copy threads. */
  void started() throws SysException {
    if (stdinPipeRead >= 0) {
      Libc.close(stdinPipeRead); // the process holds its own copy now
      stdinPipeRead = -1;
    }
    if (relay != null) {
      master = relay.receiveMaster();
      if (ttyOut >= 0) {
        int from = master, to = ttyOut;
        Thread.ofPlatform().daemon().name("tty-out").start(() -> {
          byte[] buf = new byte[32 * 1024];
          try {
            while (true) {
              int n = Libc.read(from, buf, buf.length);
              if (n <= 0) break;
              Libc.write(to, n == buf.length ? buf : java.util.Arrays.copyOf(buf, n));
            }
          } catch (SysException e) {
            // EIO: every slave fd is closed, the process is gone
          } finally {
            outputDone.countDown();
          }
        });
      } else {
        outputDone.countDown();
      }
      if (!stdinPath.isEmpty()) copyStdin(false);
    } else {
      outputDone.countDown();
      if (stdinPipeWrite >= 0) copyStdin(true);
    }
  }

  /**
   * Copies the stdin FIFO into the pty master or, when {@code toPipe}, the stdin pipe,
   * whose fd is read under the lock before each write: CloseIO may have closed it, and a closed
   * fd number can be reused by any open in this JVM.
   */
  private void copyStdin(boolean toPipe) {
    String path = stdinPath;
    copying = true;
    Thread.ofPlatform().daemon().name("stdin").start(() -> {
      // opening read-only blocks until containerd opens its end for writing
      try (InputStream in = new FileInputStream(path)) {
        byte[] buf = new byte[32 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
          int fd;
          synchronized (this) {
            fd = toPipe ? stdinPipeWrite : this.master;
            if (fd < 0) break;
            writing = true;
          }
          try {
            Libc.write(fd, n == buf.length ? buf : java.util.Arrays.copyOf(buf, n));
          } finally {
            synchronized (this) {
              writing = false;
            }
          }
        }
      } catch (IOException e) {
        LOG.fine(() -> "stdin copy from " + path + " ended: " + e.getMessage());
      }
      synchronized (this) {
        copying = false;
        if (toPipe) closeStdinNow();
      }
    });
  }

  /**
   * CloseIO: the process reads EOF once it has read what was copied so far. containerd closes
   * its end of the FIFO when it sends CloseIO, and the copy closes the pipe at the FIFO's EOF,
   * after the last bytes; the pipe is closed here at once only when no copy runs, and after a
   * second otherwise (a client that keeps the FIFO open).
   */
  synchronized void closeStdin() {
    if (!copying) {
      closeStdinNow();
      return;
    }
    Thread.ofVirtual().start(() -> {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
      synchronized (this) {
        if (!writing) closeStdinNow();
      }
    });
  }

  private synchronized void closeStdinNow() {
    if (stdinPipeWrite >= 0) {
      Libc.close(stdinPipeWrite);
      stdinPipeWrite = -1;
    }
  }

  void resize(int width, int height) throws RpcException {
    if (master < 0) throw new RpcException(RpcException.FAILED_PRECONDITION, "the process has no terminal");
    try {
      Termios.setWindowSize(master, new Termios.Size(height, width, 0, 0));
    } catch (SysException e) {
      throw new RpcException(RpcException.INTERNAL, e.getMessage(), e);
    }
  }

  /** The process exited: let the terminal's last output through, then give containerd its EOF. */
  void exited() {
    try {
      outputDone.await(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    close();
  }

  @Override
  public synchronized void close() {
    for (int fd : heldFds) Libc.close(fd);
    heldFds.clear();
    if (stdinPipeRead >= 0) Libc.close(stdinPipeRead);
    stdinPipeRead = -1;
    if (!writing) closeStdinNow(); // else the copy closes it after its write
    if (relay != null) relay.closeChildEnd();
    if (master >= 0 && !writing) {
      Libc.close(master);
      master = -1;
    }
  }
}
