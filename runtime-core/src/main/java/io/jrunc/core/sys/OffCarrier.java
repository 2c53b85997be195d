package io.jrunc.core.sys;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * System calls that may wait, made for a virtual thread on a platform thread of this pool.
 *
 * <p>A virtual thread blocked in a native call keeps its carrier, and the JDK adds no carrier
 * for it (it does for its own blocking I/O). jrunc's API waits in system calls: {@code wait4}
 * for init's exit ({@code Container.waitFor}, for the container's whole life), {@code read} of
 * init's reports until READY, {@code poll} over a hook that has no timeout, {@code recvmsg} of a
 * console's pty. An embedder calling it from virtual threads then had one carrier per such
 * call taken: with as many waits as cores, every other virtual thread of its JVM stood still,
 * also the one that would have ended the waits (a kill), for good.
 *
 * <table>
 *   <caption>Who makes a waiting system call</caption>
 *   <tr><th>caller</th><th>made on</th></tr>
 *   <tr><td>a platform thread (the CLI's main, a shim's call threads)</td><td>the caller itself:
 *       no pool is started and no class of it loaded</td></tr>
 *   <tr><td>a virtual thread</td><td>a pool thread ("jrunc-wait", a daemon, started on demand
 *       and kept 30 s when idle); the virtual thread parks, which frees its carrier</td></tr>
 * </table>
 *
 * The caller waits for the call's end even when interrupted (as the same call made in place
 * would: the call may write into the caller's memory, and an exit status read by wait4 must not
 * be lost); the interrupt is kept.
 */
final class OffCarrier {
  private OffCarrier() {}

  /** Started with the first virtual thread's waiting call. */
  private static final class Pool {
    static final ThreadPoolExecutor THREADS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> Thread.ofPlatform().daemon().name("jrunc-wait").unstarted(r));
  }

  /** {@code call}'s result; made on a pool thread when the caller is a virtual thread. */
  static long call(LongSupplier call) {
    if (!Thread.currentThread().isVirtual()) return call.getAsLong();
    CompletableFuture<Long> done = new CompletableFuture<>();
    Pool.THREADS.execute(() -> {
      try {
        done.complete(call.getAsLong());
      } catch (Throwable t) {
        done.completeExceptionally(t);
      }
    });
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return done.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException re) throw re;
          if (e.getCause() instanceof Error err) throw err;
          throw new IllegalStateException(e.getCause());
        }
      }
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }
}
