package io.jrunc.core.container;

import io.jrunc.core.failure.ContainerFailure;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A second thread for create's work that need not be on the caller's: a create {@link #offer
 * offers} it the executable and HOME lookups while it plans, the init program's compile and
 * config.json's copy while it makes the record and the cgroup, the last record's encoding while
 * it clones init; each is taken back where its result is needed. The machine's second core so
 * does a part of every create. (Measured on a 2-core host in a warm JVM, 300 containers after 40
 * warm-ups, without and with a helper: create's median 10.7 -> 9.5 and 10.1 -> 9.4 ms in two
 * pairs of runs, 11.77 -> 11.23 over ten interleaved pairs; the compile alone is 0.8-1.7 ms there
 * and the cgroup on v1 1.2-1.4 ms.)
 *
 * <table>
 *   <caption>Who serves</caption>
 *   <tr><th>JVM</th><th>thread</th></tr>
 *   <tr><td>a CLI call ({@link #declare}d by NativeAccess)</td><td>the thread that linked the
 *       system call entry, on the core the link left idle, once linked ({@link #serve})</td></tr>
 *   <tr><td>long-lived (an embedder, the shim)</td><td>one daemon thread of the JVM,
 *       "jrunc-create-helper", started by the first offer and shared by every runtime and
 *       caller: none per container</td></tr>
 * </table>
 *
 * <table>
 *   <caption>An offered task</caption>
 *   <tr><th>call</th><th>not started</th><th>running or done on the helper</th></tr>
 *   <tr><td>{@link #take}</td><td>runs it on the caller's thread, then returns its result</td>
 *       <td>waits for it, then returns its result</td></tr>
 *   <tr><td>{@link #withdraw}</td><td>it never runs</td><td>waits for its end, result dropped</td></tr>
 * </table>
 *
 * So an offered task is never later than running it in place: a helper busy with another
 * caller's work, or one that never comes (a CLI call's failed link: {@link #serve} is not
 * reached), leaves it to whoever takes it.
 */
public final class CreateHelper {
  /** The JVM's helper, which every create offers to. */
  private static final CreateHelper JVM = new CreateHelper(true);

  /**
   * Work offered and not yet polled. Guarded by its own monitor, not a java.util.concurrent
   * queue: a BlockingQueue's take waits on an AQS condition, whose first use in a JVM
   * initialises ForkJoinPool (its managed blocking) and with it ~15 classes that every CLI
   * create's AOT cache then loaded before Main.
   */
  private final ArrayDeque<Runnable> offered = new ArrayDeque<>();
  /** Whether this helper starts a thread of its own when nobody serves it (false: tests). */
  private final boolean ownThread;
  /** A thread serves, or will: {@link #declare}d, or ours started. Guarded by {@link #offered}. */
  private boolean served;

  CreateHelper(boolean ownThread) {
    this.ownThread = ownThread;
  }

  /**
   * Declares that a thread of this JVM will {@link #serve} (a CLI call's link thread): no thread
   * of the helper's own is started then. Called before the first offer.
   */
  public static void declare() {
    synchronized (JVM.offered) {
      JVM.served = true;
    }
  }

  /**
   * Runs work {@link #offer offered} to this JVM, on the calling thread, until the JVM ends: the
   * thread that linked the system call entry, once it is done with that (NativeAccess), so that a
   * call's own idle second core takes some of its main thread's work without a thread per task.
   * {@code whenIdle} runs the first time nothing is waiting: work this thread does for the JVM
   * anyway, later than what the command offered before it (NativeAccess: the spawn trampoline,
   * needed only at the clone, after the lookups planning waits for).
   */
  public static void serve(Runnable whenIdle) {
    JVM.serveHere(whenIdle);
  }

  /** {@code task}, offered to the JVM's helper; {@link #take} gets its result. */
  static <T> Offered<T> offer(Callable<T> task) {
    return JVM.queue(task);
  }

  /** {@code task}, offered to this helper (its own thread started first if none serves yet). */
  <T> Offered<T> queue(Callable<T> task) {
    Offered<T> f = new Offered<>(task);
    boolean start;
    synchronized (offered) {
      offered.add(f);
      offered.notifyAll();
      start = !served && ownThread;
      if (start) served = true;
    }
    if (start) Thread.ofPlatform().daemon().name("jrunc-create-helper").start(() -> serveHere(null));
    return f;
  }

  /** What was offered to this helper and is not polled yet (for tests). */
  int waiting() {
    synchronized (offered) {
      return offered.size();
    }
  }

  void serveHere(Runnable whenIdle) {
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
      next.run(); // an Offered: its outcome, whatever it is, goes to whoever takes it
    }
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
