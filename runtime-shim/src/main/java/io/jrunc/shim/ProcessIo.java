package io.jrunc.shim;

import io.jrunc.core.api.Stdio;
import io.jrunc.core.api.host.HostFd;
import io.jrunc.core.api.host.Terminal;
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
 * <p>{@code binary:///path?key=value} (containerd's logging binaries, e.g. for nerdctl): the
 * process's stdout and stderr are pipes whose read ends the logger gets as fds 3 and 4, with a
 * "ready" pipe as fd 5 that it closes when it is set up, and {@code CONTAINER_ID},
 * {@code CONTAINER_NAMESPACE} in its environment; query pairs become its arguments
 * ({@code key value}). The JDK cannot hand a child extra fds, so a {@code /bin/sh} opens them
 * through {@code /proc/<shim>/fd/N} (a pipe reopened so is the same pipe), reports on fd 5 that
 * it has them, and execs the logger.
 */
final class ProcessIo implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ProcessIo.class.getName());
  private static final Stdio.ToFile DEV_NULL = new Stdio.ToFile(Path.of("/dev/null"));

  final String stdinPath, stdoutPath, stderrPath;
  final boolean terminal;
  private final List<HostFd> heldFds = new ArrayList<>();
  private Stdio stdio;
  private Terminal relay;
  private HostFd master;
  private HostFd stdinPipeRead;
  private HostFd stdinPipeWrite;
  private boolean copying;
  private boolean writing;
  private HostFd ttyOut;
  private final CountDownLatch outputDone = new CountDownLatch(1);

  private ProcessIo(String stdin, String stdout, String stderr, boolean terminal) {
    this.stdinPath = stdin;
    this.stdoutPath = stdout;
    this.stderrPath = stderr;
    this.terminal = terminal;
  }

  /** Opens what must exist before the process is created; on failure nothing stays open. */
  static ProcessIo open(String stdin, String stdout, String stderr, boolean terminal) throws RpcException {
    return open(stdin, stdout, stderr, terminal, "", "");
  }

  static ProcessIo open(String stdin, String stdout, String stderr, boolean terminal, String id, String namespace)
      throws RpcException {
    ProcessIo io = new ProcessIo(stdin, stdout, stderr, terminal);
    try {
      if (terminal) {
        io.relay = Terminal.prepare();
        io.stdio = new Stdio(DEV_NULL, DEV_NULL, DEV_NULL);
        if (!stdout.isEmpty()) io.ttyOut = io.holdFifo(stdout, "stdout");
      } else {
        Stdio.Stream in = DEV_NULL;
        if (!stdin.isEmpty()) {
          HostFd.Pipe p = HostFd.pipe();
          io.stdinPipeRead = p.read();
          io.stdinPipeWrite = p.write();
          in = new Stdio.ToFile(p.read().procPath());
        }
        if (stdout.startsWith("binary://")) {
          Stdio.Stream[] outErr = io.startLogger(URI.create(stdout), id, namespace);
          io.stdio = new Stdio(in, outErr[0], outErr[1]);
        } else {
          io.stdio = new Stdio(in, io.output(stdout, "stdout"), io.output(stderr, "stderr"));
        }
      }
      return io;
    } catch (IOException e) {
      io.close();
      throw new RpcException(RpcException.INTERNAL, "open the process's io: " + e.getMessage(), e);
    } catch (RpcException e) {
      io.close();
      throw e;
    }
  }

  private Stdio.Stream output(String uri, String which) throws IOException, RpcException {
    if (uri.isEmpty()) return DEV_NULL;
    if (uri.startsWith("file://")) return new Stdio.ToFile(Path.of(URI.create(uri).getPath()));
    if (uri.contains("://")) {
      throw new RpcException(RpcException.UNIMPLEMENTED, which + " " + uri
          + ": this shim takes FIFO paths and file:// URIs only (binary:// loggers are not supported)");
    }
    return new Stdio.ToFile(holdFifo(uri, which).procPath());
  }

  private static final String LOGGER_EXEC = "exec 3<\"$JRUNC_LOG_FD3\" 4<\"$JRUNC_LOG_FD4\" 5>\"$JRUNC_LOG_FD5\" || exit 127\n"
      + "unset JRUNC_LOG_FD3 JRUNC_LOG_FD4 JRUNC_LOG_FD5\n"
      + "printf x >&5\n"
      + "exec \"$0\" \"$@\"\n";
  private static final int LOGGER_READY_MILLIS = 10_000;

  /** Starts the logging binary; returns the process's stdout and stderr streams. */
  private Stdio.Stream[] startLogger(URI uri, String id, String namespace) throws IOException, RpcException {
    HostFd.Pipe out = HostFd.pipe();
    heldFds.add(out.read());
    heldFds.add(out.write());
    HostFd.Pipe err = HostFd.pipe();
    heldFds.add(err.read());
    heldFds.add(err.write());
    HostFd.Pipe ready = HostFd.pipe();
    // the write ends stay here until the process exits (the container reopens them at create)
    List<HostFd> ours = List.of(out.read(), err.read(), ready.write());
    try {
      List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", LOGGER_EXEC, uri.getPath()));
      String q = uri.getRawQuery();
      if (q != null && !q.isEmpty()) {
        for (String kv : q.split("&")) {
          int eq = kv.indexOf('=');
          cmd.add(java.net.URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8));
          if (eq >= 0) cmd.add(java.net.URLDecoder.decode(kv.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      ProcessBuilder pb = new ProcessBuilder(cmd)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.INHERIT);
      long me = ProcessHandle.current().pid();
      pb.environment().put("CONTAINER_ID", id);
      pb.environment().put("CONTAINER_NAMESPACE", namespace);
      pb.environment().put("JRUNC_LOG_FD3", "/proc/" + me + "/fd/" + out.read().number());
      pb.environment().put("JRUNC_LOG_FD4", "/proc/" + me + "/fd/" + err.read().number());
      pb.environment().put("JRUNC_LOG_FD5", "/proc/" + me + "/fd/" + ready.write().number());
      Process p;
      try {
        p = pb.start();
      } catch (java.io.IOException e) {
        throw new RpcException(RpcException.INTERNAL, "start the logging binary " + uri + ": " + e.getMessage(), e);
      }
      // 1: the shell holds fds 3-5 (one byte), so ours can go; 2: the logger closed fd 5 (EOF)
      boolean opened = awaitReadable(ready.read(), p) && readOne(ready.read()) > 0;
      for (HostFd fd : ours) fd.close();
      if (!opened || !(awaitReadable(ready.read(), p) && readOne(ready.read()) < 0)) {
        p.destroyForcibly();
        throw new RpcException(RpcException.INTERNAL, "the logging binary " + uri.getPath()
            + (p.isAlive() ? " did not get ready within " + LOGGER_READY_MILLIS / 1000 + " s" : " exited with " + p.exitValue()));
      }
      return new Stdio.Stream[] {new Stdio.ToFile(out.write().procPath()), new Stdio.ToFile(err.write().procPath())};
    } finally {
      for (HostFd fd : ours) fd.close();
      ready.read().close();
    }
  }

  /** Waits until {@code fd} is readable (data or EOF), or the process died, or the time is up. */
  private static boolean awaitReadable(HostFd fd, Process p) throws IOException {
    long deadline = System.currentTimeMillis() + LOGGER_READY_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      if (fd.awaitReadable(50)) return true;
      if (!p.isAlive()) return false;
    }
    return false;
  }

  /** One read of at most one byte: 1, or -1 at EOF. */
  private static int readOne(HostFd fd) throws IOException {
    return fd.read(new byte[1]);
  }

  private HostFd holdFifo(String path, String which) throws IOException {
    // O_RDWR on a FIFO never blocks (fifo(7)), whether or not containerd has its reader open yet
    HostFd fd = HostFd.openFifo(Path.of(path));
    heldFds.add(fd);
    return fd;
  }

  Stdio stdio() {
    return stdio;
  }

  /** The console socket for the create/exec call (the child sends the pty master on it), or -1. */
  int consoleFd() {
    return relay == null ? -1 : relay.consoleFd();
  }

  /** After create/exec returned: take the pty master and start the copy threads. */
  void started() throws IOException {
    if (stdinPipeRead != null) {
      stdinPipeRead.close(); // the process holds its own copy now
      stdinPipeRead = null;
    }
    if (relay != null) {
      relay.receive();
      master = relay.master();
      if (ttyOut != null) {
        HostFd from = master, to = ttyOut;
        Thread.ofPlatform().daemon().name("tty-out").start(() -> {
          byte[] buf = new byte[32 * 1024];
          try {
            while (true) {
              int n = from.read(buf); // -1 at EIO: every slave fd is closed, the process is gone
              if (n < 0) break;
              to.write(buf, 0, n);
            }
          } catch (IOException e) {
            LOG.fine(() -> "terminal output ended: " + e.getMessage());
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
      if (stdinPipeWrite != null) copyStdin(true);
    }
  }

  /**
   * Copies the stdin FIFO into the pty master or, when {@code toPipe}, the stdin pipe,
   * whose fd is read under the lock before each write: CloseIO may have closed it.
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
          HostFd fd;
          synchronized (this) {
            fd = toPipe ? stdinPipeWrite : this.master;
            if (fd == null) break;
            writing = true;
          }
          try {
            fd.write(buf, 0, n);
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
    if (stdinPipeWrite != null) {
      stdinPipeWrite.close();
      stdinPipeWrite = null;
    }
  }

  void resize(int width, int height) throws RpcException {
    if (master == null) throw new RpcException(RpcException.FAILED_PRECONDITION, "the process has no terminal");
    try {
      relay.resize(width, height);
    } catch (IOException e) {
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
    for (HostFd fd : heldFds) fd.close();
    heldFds.clear();
    if (stdinPipeRead != null) stdinPipeRead.close();
    stdinPipeRead = null;
    if (!writing) closeStdinNow(); // else the copy closes it after its write
    if (relay != null) relay.close();
    if (master != null) {
      master.close(); // a write in progress keeps it until it returns (HostFd)
      master = null;
    }
  }
}
