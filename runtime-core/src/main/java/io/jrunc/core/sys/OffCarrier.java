package io.jrunc.core.sys;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Work of a virtual thread that must not run on its carrier, done on a platform thread of this
 * pool while the virtual thread parks.
 *
 * <table>
 *   <caption>What goes off the carrier, and why</caption>
 *   <tr><th>work</th><th>why not on the carrier</th></tr>
 *   <tr><td>a system call that waits ({@link Libc#waitingSyscallRaw}: wait4 for init's exit,
 *       read of init's reports, poll over a hook, recvmsg of a pty)</td><td>a virtual thread
 *       waiting in a system call made through FFM keeps its carrier, and the JDK adds none for
 *       it (it does only for its own blocking I/O): as many such waits as carriers froze every
 *       other virtual thread, also the one that would end the waits (a kill)</td></tr>
 *   <tr><td>create and exec, whole ({@link #onPlatformThread}, from the container layer)</td>
 *       <td>the child's parent-death signal (SIGKILL, set until init reports READY or the
 *       exec'd process its execve) belongs to the thread that cloned it, and a carrier left idle
 *       for 30 s ends: init would be killed while a long hook ran</td></tr>
 * </table>
 *
 * A platform thread (the CLI's main, the shim's call threads) does the work itself: no pool is
 * started and no class of it loaded. The pool's threads ("jrunc-wait", daemons) start on demand
 * and end after 30 s idle, which a whole create or exec never is (it runs on one of them). The
 * caller waits for the work's end even when interrupted (the work may write into the caller's
 * memory; an exit status read by wait4 must not be lost), keeping the interrupt.
 */
public final class OffCarrier {
  private OffCarrier() {}

  /** Work that may throw {@code X}. */
  @FunctionalInterface
  public interface Work<T, X extends Exception> {
    T run() throws X;
  }

  /** Started with the first virtual thread's work. */
  private static final class Pool {
    static final ThreadPoolExecutor THREADS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> Thread.ofPlatform().daemon().name("jrunc-wait").unstarted(r));
  }

  /**
   * {@code work}'s result, or its exception as thrown: run here on a platform thread, on a pool
   * thread when the caller is a virtual thread.
   */
  public static <T, X extends Exception> T onPlatformThread(Work<T, X> work) throws X {
    if (!Thread.currentThread().isVirtual()) return work.run();
    return onPlatformThread(Pool.THREADS, work);
  }

  /**
   * {@code work} on {@code threads}, the caller parked meanwhile. When no thread can be had
   * (the process is at its thread limit: the executor rejects, or the thread's start fails
   * with an OutOfMemoryError) it runs here, on the carrier: slower for the other virtual
   * threads, but done.
   */
  @SuppressWarnings("unchecked")
  static <T, X extends Exception> T onPlatformThread(Executor threads, Work<T, X> work) throws X {
    CompletableFuture<T> done = new CompletableFuture<>();
    try {
      threads.execute(() -> {
        try {
          done.complete(work.run());
        } catch (Throwable t) {
          done.completeExceptionally(t);
        }
      });
    } catch (RejectedExecutionException | OutOfMemoryError e) {
      return work.run();
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return done.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof RuntimeException re) throw re;
          if (c instanceof Error err) throw err;
          throw (X) c; // work.run() throws only X besides unchecked ones
        }
      }
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }
}
