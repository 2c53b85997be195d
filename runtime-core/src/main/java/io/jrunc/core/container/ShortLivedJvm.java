package io.jrunc.core.container;

import io.jrunc.core.failure.ContainerFailure;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether this JVM runs one container command and exits (a CLI call), and so may spend a thread
 * of its own on create's work: the thread that linked the system call entry serves what the
 * command {@link #offer offers} it on the second core (the executable and HOME lookups while the
 * main thread plans, the init program's compile while it makes the record and the cgroup, the
 * last record's encoding while it clones init; in a cold JVM each is a millisecond or several
 * of interpreted code and class initialisation). A long-lived JVM (an embedder, the shim) never
 * declares it: it starts no thread per container, and the same work is a fraction of a
 * millisecond once warm, run in place by {@link #take}.
 *
 * <table>
 *   <caption>An offered task</caption>
 *   <tr><th>call</th><th>not started</th><th>running or done on the helper</th></tr>
 *   <tr><td>{@link #take}</td><td>runs it on the caller's thread, then returns its result</td>
 *       <td>waits for it, then returns its result</td></tr>
 *   <tr><td>{@link #withdraw}</td><td>it never runs</td><td>waits for its end, result dropped</td></tr>
 * </table>
 *
 * So an offered task is never later than running it in place, and one whose helper never comes
 * (a failed link: {@link #serve} is not reached) is run by whoever takes it.
 */
public final class ShortLivedJvm {
  private static volatile boolean declared;
  /**
   * Work offered to the helper thread ({@link #serve}); only in a short-lived JVM. Guarded by its
   * own monitor, not a java.util.concurrent queue: a BlockingQueue's take waits on an AQS
   * condition, whose first use in a JVM initialises ForkJoinPool (its managed blocking) and with it
   * ~15 classes that every create's AOT cache then loaded before Main.
   */
  private static final ArrayDeque<Runnable> offered = new ArrayDeque<>();

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
    serve(null);
  }

  /**
   * As {@link #serve()}, running {@code whenIdle} the first time nothing is waiting: work this
   * thread does for the JVM anyway, later than what the command offered before it (NativeAccess:
   * the spawn trampoline, needed only at the clone, after the lookups planning waits for).
   */
  public static void serve(Runnable whenIdle) {
    while (true) {
      Runnable next;
      synchronized (offered) {
        next = offered.poll();
        while (next == null && whenIdle == null) {
          try {
            offered.wait();
          } catch (InterruptedException e) {
            return;
          }
          next = offered.poll();
        }
      }
      if (next == null) {
        Runnable idle = whenIdle;
        whenIdle = null;
        try {
          idle.run();
        } catch (RuntimeException e) {
          // its own work's failure (whoever needs that work meets it again): serve on
        }
        continue;
      }
      next.run();
    }
  }

  /**
   * {@code task}, offered to the helper thread when this JVM is short-lived (in a long-lived one
   * it waits for {@link #take}, which runs it in place).
   */
  static <T> Offered<T> offer(Callable<T> task) {
    Offered<T> f = new Offered<>(task);
    if (declared) {
      synchronized (offered) {
        offered.add(f);
        offered.notifyAll();
      }
    }
    return f;
  }

  /** The result of an {@link #offer offered} task: run here unless started elsewhere, then waited for. */
  static <T> T take(Offered<T> f) throws ContainerFailure {
    f.run();
    return join(f);
  }

  /**
   * Gives up an {@link #offer offered} task whose result is not wanted (null: nothing to do):
   * one not started never runs; one started is waited for, whatever its outcome (it may write
   * into memory the caller frees next).
   */
  static void withdraw(Offered<?> f) {
    if (f == null || f.claim()) return;
    try {
      join(f);
    } catch (ContainerFailure | RuntimeException | Error ignored) {
      // the caller is failing or starting over already; the task's outcome is not needed
    }
  }

  /**
   * The result of {@code f}, waiting for it; its exception thrown as it was (a
   * {@link ContainerFailure}, an unchecked exception or an error).
   */
  private static <T> T join(FutureTask<T> f) throws ContainerFailure {
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

  /**
   * A task that runs at most once, on whichever thread claims it first: the helper, a
   * {@link #take}, or none when {@link #withdraw} claims it unstarted. (A FutureTask's own
   * cancel cannot tell "not started" from "running", and a running compile must be waited for.)
   */
  static final class Offered<T> extends FutureTask<T> {
    private final AtomicBoolean claimed = new AtomicBoolean();

    Offered(Callable<T> task) {
      super(task);
    }

    /** True when this call claimed it: no one else will run it. */
    boolean claim() {
      return claimed.compareAndSet(false, true);
    }

    @Override
    public void run() {
      if (claim()) super.run();
    }
  }
}
