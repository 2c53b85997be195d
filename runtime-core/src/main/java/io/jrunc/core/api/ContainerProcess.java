package io.jrunc.core.api;

import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.SysException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A process started in a container by {@link Container#exec}: a child of this JVM. */
public final class ContainerProcess {
  private final int pid;
  private final CallerPipes pipes;
  private Integer exitCode;
  private volatile boolean reaped;

  ContainerProcess(int pid, int[] pipes) {
    this.pid = pid;
    this.pipes = new CallerPipes(pipes);
  }

  public int pid() {
    return pid;
  }

  /**
   * Sends {@code signal} to the process. It is this JVM's child, unreaped until
   * {@link #waitFor()} returns, so the pid cannot name another process before then.
   */
  public void kill(int signal) {
    // not synchronized: a signal handler forwards while another thread is blocked in waitFor
    if (!reaped) Libc.kill(pid, signal);
  }

  /** Waits for the process and returns its exit code (128 + signal when killed). */
  public synchronized int waitFor() throws ContainerException {
    if (exitCode == null) {
      try {
        exitCode = Libc.exitCode(Libc.wait4(pid, 0)[1]);
        reaped = true;
      } catch (SysException e) {
        throw new SetupException("wait for pid " + pid + ": " + e.getMessage(), e.errno(), e);
      } finally {
        pipes.closeAll();
      }
    }
    return exitCode;
  }

  public InputStream stdout() throws IOException {
    return pipes.stdout();
  }

  public InputStream stderr() throws IOException {
    return pipes.stderr();
  }

  public OutputStream stdin() throws IOException {
    return pipes.stdin();
  }

  /**
   * Closes this handle's own write end of the stdin pipe: the process reads EOF once the
   * streams {@link #stdin()} gave are closed too (each is an end of its own).
   */
  public void closeStdin() {
    pipes.closeStdin();
  }
}
