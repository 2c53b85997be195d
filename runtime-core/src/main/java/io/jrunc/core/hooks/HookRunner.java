package io.jrunc.core.hooks;

import io.jrunc.core.log.Logs;
import io.jrunc.spec.Hook;
import io.jrunc.spec.State;
import java.util.List;
import org.slf4j.Logger;

/**
 * Runs a phase's hooks in order, as runtime.md says: the first failure stops the phase (and
 * the operation), except poststop, whose failures are only logged. Each hook is started by a
 * {@link Launcher} that knows where the phase runs (the runtime's namespaces or the
 * container's); every launcher executes the hook as {@code execve(path, args, env)} and sees
 * it through with {@link HookProcess}.
 */
public final class HookRunner {
  private static final Logger LOG = Logs.get(HookRunner.class);

  private HookRunner() {}

  /** A hook failed: the message names the phase, the hook and why. */
  public static final class HookException extends Exception {
    public HookException(String message) {
      super(message);
    }

    public HookException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Runs one hook to its end, or throws why it failed (without the phase: the runner adds it). */
  @FunctionalInterface
  public interface Launcher {
    void run(Hook hook, State state) throws HookException;
  }

  /** Runs each hook in order; the first failure stops the rest and is thrown. */
  public static void runAll(String phase, List<Hook> hooks, State state, Launcher launcher) throws HookException {
    if (hooks == null) return;
    for (int i = 0; i < hooks.size(); i++) run(phase, i, hooks.get(i), state, launcher);
  }

  /** Runs every hook; failures are logged and the rest still run (poststop). */
  public static void runAllLogging(String phase, List<Hook> hooks, State state, Launcher launcher) {
    if (hooks == null) return;
    for (int i = 0; i < hooks.size(); i++) {
      try {
        run(phase, i, hooks.get(i), state, launcher);
      } catch (HookException e) {
        LOG.warn(e.getMessage());
      }
    }
  }

  static void run(String phase, int index, Hook hook, State state, Launcher launcher) throws HookException {
    try {
      launcher.run(hook, state);
    } catch (HookException e) {
      // runc's "error running prestart hook #1: ..." (tests and tools match that prefix), then the path
      throw new HookException("error running " + phase + " hook #" + index + ": " + hook.path() + ": " + e.getMessage(), e);
    }
  }
}
