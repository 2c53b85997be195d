package io.jrunc.core.process;

import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.spawn.Spawner;
import io.jrunc.core.spawn.StepFailedException;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.SysException;
import java.util.Set;

/**
 * The parent's side of every launch (a container's init, an exec'd process, a hook): once the
 * cloned child is released, reads its reports until it has exec'd (EOF on the close-on-exec
 * report pipe) or is ready, and acts on what it announces on the way.
 *
 * <table>
 *   <caption>Reports and what the driver does</caption>
 *   <tr><th>report</th><th>action</th></tr>
 *   <tr><td>hooks</td><td>{@link Events#hooks}, then release the child again (create only)</td></tr>
 *   <tr><td>the seccomp listener step</td><td>{@link Events#listener} with the fd number in the child</td></tr>
 *   <tr><td>another announcing step (the fork into a pid namespace)</td><td>the announced
 *       pid becomes the process's ({@link Events#forked}); the first child, which exits at once,
 *       is reaped</td></tr>
 *   <tr><td>hooks, the listener or ready before the fork's announcement</td><td>the next report
 *       first (the forked process wrote them before the first child wrote its pid)</td></tr>
 *   <tr><td>ready or EOF</td><td>return</td></tr>
 *   <tr><td>a failed step</td><td>{@link StepFailedException}, the current pid reaped
 *       ({@link Spawner#next})</td></tr>
 * </table>
 */
public final class Launch {
  private Launch() {}

  /** What a caller does when the child announces something; X is what those actions throw. */
  public interface Events<X extends Exception> {
    /** The child unshared its new user namespace; it is released when this returns. */
    default void userNamespace(int pid) throws X, SysException {}

    /** The child stopped for the create-time hooks; it is released again when this returns. */
    default void hooks(int pid) throws X, SysException {}

    /** The process loaded its seccomp filter and waits until the agent has its listener. */
    default void listener(int pid, long childFd) throws X, SysException {}

    /** A fork announced the process's real pid (called before the first child is reaped). */
    default void forked(int pid) {}
  }

  /** The pid the process ended up with, and the report that ended the launch (ready or EOF). */
  public record Outcome(int pid, Spawner.Report last) {}

  public static <X extends Exception> Outcome drive(ChildProgram program, SpawnChannel ch, int childPid,
      Set<Integer> announcing, int listenerStep, Events<X> events) throws X, SysException, StepFailedException {
    int pid = childPid;
    boolean forkPending = false;
    for (int step : announcing) forkPending |= step != listenerStep;
    while (true) {
      Spawner.Report r = Spawner.next(program, ch, pid, announcing);
      if (forkPending && (r.ready() || r.hooks() || isListener(r, listenerStep))) {
        // A report of the forked process came before the first child's announcement of it:
        // both write to the one report pipe, and the first child need not have run since its
        // clone. Read as the first child's, the seccomp listener was looked for in it (its
        // pidfd_getfd, the first child exiting, failed with ESRCH), the hooks were given its pid
        // and READY recorded it as init. Each of these reports makes the forked process wait
        // for an answer, so the first child's announcement is the next report.
        Spawner.Report f = Spawner.next(program, ch, pid, announcing);
        if (!isFork(f, listenerStep)) {
          throw new IllegalStateException("expected the fork's announcement after " + r + ", not " + f);
        }
        pid = forked(f, childPid, events);
        forkPending = false;
      }
      if (r.userNamespace()) {
        events.userNamespace(pid);
        ch.release();
      } else if (r.hooks()) {
        events.hooks(pid);
        ch.release();
      } else if (isListener(r, listenerStep)) {
        events.listener(pid, r.value());
      } else if (isFork(r, listenerStep)) {
        pid = forked(r, childPid, events);
        forkPending = false;
      } else {
        return new Outcome(pid, r);
      }
    }
  }

  /** The seccomp step's announcement (hooks, USERNS and READY have negative codes). */
  private static boolean isListener(Spawner.Report r, int listenerStep) {
    return r.announcingStep() >= 0 && r.announcingStep() == listenerStep;
  }

  /** The fork step's announcement: any other announcing step. */
  private static boolean isFork(Spawner.Report r, int listenerStep) {
    return r.announcingStep() >= 0 && r.announcingStep() != listenerStep;
  }

  /** The fork's announcement: the announced pid becomes the process's, and the first child is reaped. */
  private static <X extends Exception> int forked(Spawner.Report r, int childPid, Events<X> events) throws SysException {
    int pid = (int) r.value();
    events.forked(pid);
    Libc.wait4(childPid, 0); // the first child exits right after announcing
    return pid;
  }
}
