package io.jrunc.core.terminal;

import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.SysException;
import io.jrunc.core.sys.Termios;
import io.jrunc.core.sys.UnixSockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A terminal in the foreground without a console socket ({@code run -t}, {@code exec -t}):
 * the runtime is the console socket's other end, and relays between the caller's terminal and
 * the container's pty master, as runc's {@code tty.go} does.
 *
 * <table>
 *   <caption>Use</caption>
 *   <tr><th>when</th><th>call</th><th>what happens</th></tr>
 *   <tr><td>before planning</td><td>{@link #prepare()}</td><td>a CLOEXEC socketpair; pass
 *       {@link #childSocketFd()} to {@link TerminalSetup#emit}</td></tr>
 *   <tr><td>after clone</td><td>{@link #receiveMaster()}</td><td>closes the child's end here
 *       and blocks until the child sends the master (EOF: the child failed first — read its
 *       report)</td></tr>
 *   <tr><td>then</td><td>{@link #start(int, int)}</td><td>raw mode on the caller's terminal
 *       (if {@code in} is one), window size copied to the pty, SIGWINCH forwarded, two relay
 *       threads</td></tr>
 *   <tr><td>after the process exits</td><td>{@link #awaitOutput(Duration)}, then
 *       {@link #close()}</td><td>the rest of the output is flushed; the caller's terminal is
 *       restored (also by a shutdown hook on SIGINT/SIGTERM, and by close on any error)</td></tr>
 * </table>
 *
 * <p>SIGWINCH: handled with {@code sun.misc.Signal} ("WINCH"); if the JVM refuses the handler,
 * the size is polled every 250 ms instead ({@link #resizeMode()} says which).
 */
public final class TerminalRelay implements AutoCloseable {
  private int parentEnd;
  private int childEnd;
  private int master = -1;
  private int in = -1;
  private int out = -1;
  private Termios.Attrs saved;
  private Thread inputThread;
  private Thread outputThread;
  private Thread resizePoller;
  private Thread shutdownHook;
  private Object previousWinch;
  private String resizeMode = "none";
  private final AtomicBoolean stopping = new AtomicBoolean();
  private volatile Throwable relayError;

  private TerminalRelay(int parentEnd, int childEnd) {
    this.parentEnd = parentEnd;
    this.childEnd = childEnd;
  }

  /** A socketpair: one end for the child, one to receive the master on. */
  public static TerminalRelay prepare() throws SysException {
    int[] sv = UnixSockets.socketpair();
    return new TerminalRelay(sv[0], sv[1]);
  }

  /** The console socket fd for {@link TerminalSetup#emit} (the child inherits it across clone). */
  public int childSocketFd() {
    return childEnd;
  }

  /** The received pty master (after {@link #receiveMaster()}), -1 before. */
  public int masterFd() {
    return master;
  }

  /** "signal" (SIGWINCH handler), "poll" (every 250 ms) or "none" (the caller has no terminal). */
  public String resizeMode() {
    return resizeMode;
  }

  /**
   * Closes the child's end in this process and waits for the master. Throws if the child closed
   * the socket without sending one (it failed: its report on the spawn channel says why).
   */
  public int receiveMaster() throws SysException {
    closeChildEnd();
    UnixSockets.Received r = UnixSockets.recv(parentEnd, 4096);
    if (r.fd() < 0) {
      throw new SysException("receive the terminal from the container", "(it closed the console socket first)", Errno.EPIPE);
    }
    master = r.fd();
    Libc.close(parentEnd);
    parentEnd = -1;
    return master;
  }

  /** After clone, if the parent will not call {@link #receiveMaster()} (the spawn failed). */
  public void closeChildEnd() {
    if (childEnd >= 0) {
      Libc.close(childEnd);
      childEnd = -1;
    }
  }

  /**
   * Starts relaying {@code in} → master and master → {@code out} (usually 0 and 1). If
   * {@code in} is a terminal it goes into raw mode until {@link #close()}: keys such as ^C reach
   * the container's terminal, whose line discipline turns them into signals.
   */
  public void start(int in, int out) throws SysException {
    if (master < 0) throw new IllegalStateException("no terminal received yet");
    this.in = in;
    this.out = out;
    // Output read by a program (not a terminal) gets "\n", not the pty's "\r\n", as runc's
    // relay clears ONLCR; a caller's terminal keeps it, since raw mode there has no OPOST
    if (!Termios.isatty(out)) Termios.clearOnlcr(master);
    if (Termios.isatty(in)) {
      saved = Termios.get(in);
      shutdownHook = new Thread(this::restoreQuietly, "jrunc-terminal-restore");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
      Termios.set(in, Termios.makeRaw(saved));
      resize();
      watchWindowSize();
    }
    outputThread = Thread.ofPlatform().daemon().name("jrunc-tty-out").start(() -> pump(master, out));
    inputThread = Thread.ofPlatform().daemon().name("jrunc-tty-in").start(() -> pump(in, master));
  }

  /** Copies the caller's window size to the container's terminal (the kernel signals the container). */
  public void resize() {
    if (master < 0 || in < 0) return;
    try {
      Termios.Size s = Termios.windowSize(in);
      if (s.rows() == 0 && s.cols() == 0) return; // no size known: leave the container's alone
      Termios.setWindowSize(master, s);
    } catch (SysException ignored) {
      // the caller's terminal went away (SIGHUP races): nothing to copy
    }
  }

  private void watchWindowSize() {
    try {
      sun.misc.Signal winch = new sun.misc.Signal("WINCH");
      previousWinch = sun.misc.Signal.handle(winch, sig -> resize());
      resizeMode = "signal";
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      resizeMode = "poll";
      resizePoller = Thread.ofPlatform().daemon().name("jrunc-tty-size").start(() -> {
        Termios.Size last = null;
        while (!stopping.get()) {
          try {
            Termios.Size s = Termios.windowSize(in);
            if (!s.equals(last)) {
              Termios.setWindowSize(master, s);
              last = s;
            }
            Thread.sleep(250);
          } catch (SysException | InterruptedException ex) {
            return;
          }
        }
      });
    }
  }

  /**
   * Copies until EOF/EIO or {@link #close()}. Reads wait in poll with a timeout so the input
   * thread notices a close instead of swallowing the caller's next keystroke.
   */
  private void pump(int from, int to) {
    // One native buffer and pollfd for the thread's life: per chunk only poll, read and write,
    // no arena and no copy through a byte[]. A pty hands out a few KB per read, so this loop's
    // own cost per chunk is the relay's throughput, JIT-compiled or not.
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(8192);
      MemorySegment pfd = Termios.pollFd(a, from);
      while (true) {
        if (stopping.get()) return;
        int ev = Termios.pollIn(pfd, 100);
        if (ev == 0) continue;
        if ((ev & Termios.POLLNVAL) != 0) return;
        long n = Libc.readRaw(from, buf);
        // EIO on the master: every slave fd is closed, the container's side is gone
        if (n == -Errno.EIO) return;
        if (n < 0) throw new SysException("read", "fd " + from, (int) -n);
        if (n == 0) return;
        Libc.writeAll(to, buf, n);
      }
    } catch (SysException e) {
      if (!stopping.get()) relayError = e;
    }
  }

  /**
   * Waits up to {@code timeout} for the container's output to end (its terminal closes when the
   * last process holding it exits). Returns whether it ended.
   */
  public boolean awaitOutput(Duration timeout) throws InterruptedException {
    if (outputThread == null) return true;
    return outputThread.join(timeout);
  }

  /** The error that stopped a relay thread, if any (a write to a closed stdout, say). */
  public Throwable error() {
    return relayError;
  }

  private synchronized void restoreQuietly() {
    if (saved != null && in >= 0) {
      try {
        Termios.set(in, saved);
      } catch (SysException ignored) {
        // the terminal is gone: nothing to restore
      }
      saved = null;
    }
  }

  /** Stops the relay, restores the caller's terminal, closes every fd this relay holds. */
  @Override
  public void close() {
    stopping.set(true);
    restoreQuietly();
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException ignored) {
        // already shutting down: the hook runs anyway
      }
      shutdownHook = null;
    }
    if (previousWinch instanceof sun.misc.SignalHandler h) {
      sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), h);
      previousWinch = null;
    }
    for (Thread t : new Thread[] {inputThread, outputThread, resizePoller}) {
      if (t == null) continue;
      try {
        t.join(Duration.ofMillis(500));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    closeChildEnd();
    if (parentEnd >= 0) Libc.close(parentEnd);
    parentEnd = -1;
    if (master >= 0) Libc.close(master);
    master = -1;
  }
}
