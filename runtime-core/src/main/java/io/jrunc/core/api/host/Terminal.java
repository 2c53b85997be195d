package io.jrunc.core.api.host;

import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.SysException;
import io.jrunc.core.sys.Termios;
import io.jrunc.core.terminal.ConsoleSocket;
import io.jrunc.core.terminal.TerminalRelay;
import java.io.IOException;
import java.time.Duration;

/**
 * A container's terminal when the caller is the console socket's other end ({@code run -t},
 * {@code exec -t}, a shim that relays the pty to its engine): the same socketpair and
 * receive runc's {@code tty.go} does, for a process created with
 * {@link io.jrunc.core.api.CreateOptions#withConsoleFd} or
 * {@link io.jrunc.core.api.ExecOptions#withConsoleFd}.
 *
 * <table>
 *   <caption>Use</caption>
 *   <tr><th>when</th><th>call</th></tr>
 *   <tr><td>before create/exec</td><td>{@link #prepare()}; pass {@link #consoleFd()} in the options</td></tr>
 *   <tr><td>create/exec failed</td><td>{@link #close()}</td></tr>
 *   <tr><td>after create/exec returned</td><td>{@link #receive()}: the pty master, sent by the
 *       process before its execve, waits in the socket</td></tr>
 *   <tr><td>then</td><td>either {@link #relay(int, int)} (the caller's own terminal: raw mode,
 *       window size, SIGWINCH) or your own copy loops over {@link #master()} with
 *       {@link #resize(int, int)}</td></tr>
 *   <tr><td>after the process exits</td><td>{@link #awaitOutput(Duration)}, then {@link #close()}</td></tr>
 * </table>
 */
public final class Terminal implements AutoCloseable {
  private final TerminalRelay relay;
  private volatile boolean closed;

  private Terminal(TerminalRelay relay) {
    this.relay = relay;
  }

  /** A close-on-exec socketpair: one end for the process, one to receive its pty master on. */
  public static Terminal prepare() throws IOException {
    return new Terminal(TerminalRelay.prepare());
  }

  /**
   * runc's {@code checkTerminal}: the flag combinations it refuses, with its sentences (engines
   * and scripts match them). {@code detach} is true for create and for {@code run -d}/{@code
   * exec -d}. Returns null when the combination is fine.
   */
  public static String checkFlags(boolean terminal, boolean detach, boolean haveConsoleSocket) {
    return ConsoleSocket.checkFlags(terminal, detach, haveConsoleSocket);
  }

  /** The console socket fd for the create/exec options (the process inherits it across clone). */
  public int consoleFd() {
    return relay.childSocketFd();
  }

  /**
   * Closes the process's end here and waits for the pty master. Fails when the process closed
   * the socket without sending one (its setup failed first; create/exec say why).
   */
  public void receive() throws IOException {
    relay.receiveMaster();
  }

  /**
   * Relays {@code in} → pty and pty → {@code out} (usually 0 and 1) until {@link #close()}; if
   * {@code in} is a terminal it is in raw mode meanwhile, and its window size follows SIGWINCH.
   */
  public void relay(int in, int out) throws IOException {
    relay.start(in, out);
  }

  /** The pty master for a relay of your own: a duplicate that you close; -1 reads are EOF. */
  public HostFd master() throws IOException {
    int m = relay.masterFd();
    if (m < 0) throw new IllegalStateException("no terminal received yet");
    return HostFd.dup(m, "the pty master");
  }

  /**
   * Sets the pty's window size (the kernel sends the container's foreground group SIGWINCH).
   * Fails with EBADF once this terminal is closed (a resize racing the process's exit).
   */
  public synchronized void resize(int columns, int rows) throws IOException {
    if (closed) throw new SysException("resize the terminal", "(closed)", Errno.EBADF);
    int m = relay.masterFd();
    if (m < 0) throw new IllegalStateException("no terminal received yet");
    Termios.setWindowSize(m, new Termios.Size(rows, columns, 0, 0));
  }

  /** Waits up to {@code timeout} for the output of {@link #relay} to end; whether it ended. */
  public boolean awaitOutput(Duration timeout) throws InterruptedException {
    return relay.awaitOutput(timeout);
  }

  /** The error that stopped a relay thread, if any (a write to a closed stdout, say). */
  public Throwable error() {
    return relay.error();
  }

  /** Stops the relay, restores the caller's terminal, closes every fd this object holds. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true; // a resize in progress finishes before the master goes
    }
    relay.close();
  }
}
