package io.jrunc.core.container;

import io.jrunc.core.failure.ContainerFailure;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Whether this JVM runs one container command and exits (a CLI call), and so may spend a thread
 * of its own to put create's work on the second core: the init program is compiled there while
 * the record, config.json and the cgroup are made (in a cold JVM both take several
 * milliseconds, much of it interpreted code and class initialisation). A long-lived JVM (an
 * embedder, the shim) never declares it: it starts no thread per container, and its compile is
 * a fraction of a millisecond once warm.
 */
public final class ShortLivedJvm {
  private static volatile boolean declared;
  /** Work offered to the helper thread ({@link #serve}); only in a short-lived JVM. */
  private static final LinkedBlockingQueue<Runnable> offered = new LinkedBlockingQueue<>();

  private ShortLivedJvm() {}

  /** Declares this JVM short-lived (for the rest of its life). */
  public static void declare() {
    declared = true;
  }

  static boolean declared() {
    return declared;
  }

  /**
   * Runs work {@link #offer offered} to this JVM, on the calling thread, until the JVM ends: the
   * thread that linked the system call entry, once it is done with that (NativeAccess), so that a
   * call's own idle second core takes some of its main thread's work without a thread per task.
   */
  public static void serve() {
    while (true) {
      try {
        offered.take().run();
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * {@code task}, offered to the helper thread when this JVM is short-lived; {@link #take} then
   * runs it on the caller's thread if the helper has not started it yet (a FutureTask runs once),
   * so it is never later than running it in place, and in a long-lived JVM it is run there.
   */
  static <T> FutureTask<T> offer(Callable<T> task) {
    FutureTask<T> f = new FutureTask<>(task);
    if (declared) offered.add(f);
    return f;
  }

  /** The result of an {@link #offer offered} task: run here unless started elsewhere, then waited for. */
  static <T> T take(FutureTask<T> f) throws ContainerFailure {
    f.run();
    return join(f);
  }

  /** {@code task} running on a new daemon platform thread. */
  static <T> FutureTask<T> start(String name, Callable<T> task) {
    FutureTask<T> f = new FutureTask<>(task);
    Thread t = new Thread(f, name);
    t.setDaemon(true);
    t.start();
    return f;
  }

  /**
   * The result of {@code f}, waiting for it; its exception thrown as it was (a
   * {@link ContainerFailure}, an unchecked exception or an error).
   */
  static <T> T join(FutureTask<T> f) throws ContainerFailure {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true; // the task touches memory the caller frees next: wait for its end
        }
      }
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof ContainerFailure cf) throw cf;
      if (c instanceof RuntimeException re) throw re;
      if (c instanceof Error err) throw err;
      throw new IllegalStateException(c);
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  /** Waits for {@code f} to end, whatever its outcome (null: nothing to wait for). */
  static void settle(FutureTask<?> f) {
    if (f == null) return;
    try {
      join(f);
    } catch (ContainerFailure | RuntimeException | Error ignored) {
      // the caller is failing already; the task's outcome is not needed
    }
  }
}
