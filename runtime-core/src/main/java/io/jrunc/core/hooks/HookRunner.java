package io.jrunc.core.hooks;

import io.jrunc.spec.Hook;
import io.jrunc.spec.Json;
import io.jrunc.spec.State;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs hooks in the runtime's namespaces (prestart, createRuntime, poststart, poststop), as
 * runtime.md says: the container's state on stdin, the hook's own args and env, its timeout
 * enforced. A hook that exits without reading its stdin is fine: the JVM ignores SIGPIPE, and
 * the failed write is ignored.
 */
public final class HookRunner {
  private static final Logger LOG = LoggerFactory.getLogger(HookRunner.class);

  private HookRunner() {}

  /** A hook failed: the message names the phase, the hook and why. */
  public static final class HookException extends Exception {
    public HookException(String message) {
      super(message);
    }
  }

  /** Runs each hook in order; the first failure stops the rest and is thrown. */
  public static void runAll(String phase, List<Hook> hooks, State state) throws HookException {
    if (hooks == null) return;
    for (int i = 0; i < hooks.size(); i++) run(phase, i, hooks.get(i), state);
  }

  /** Runs every hook; failures are logged and the rest still run (poststop). */
  public static void runAllLogging(String phase, List<Hook> hooks, State state) {
    if (hooks == null) return;
    for (int i = 0; i < hooks.size(); i++) {
      try {
        run(phase, i, hooks.get(i), state);
      } catch (HookException e) {
        LOG.warn(e.getMessage());
      }
    }
  }

  static void run(String phase, int index, Hook hook, State state) throws HookException {
    // runc's "error running prestart hook #1: ..." (tests and tools match that prefix), then the path
    String what = phase + " hook #" + index + ": " + hook.path();
    List<String> cmd = new ArrayList<>();
    cmd.add(hook.path());
    // args[0] is argv[0] as in execve; ProcessBuilder cannot set argv[0], so args[1..] follow the path
    if (hook.args() != null && hook.args().size() > 1) cmd.addAll(hook.args().subList(1, hook.args().size()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    if (hook.env() != null) {
      for (String e : hook.env()) {
        int eq = e.indexOf('=');
        if (eq > 0) pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
      }
    }
    pb.redirectErrorStream(false);
    java.lang.Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new HookException("error running " + what + ": " + e.getMessage());
    }
    try (OutputStream in = p.getOutputStream()) {
      in.write(Json.writeBytes(state));
    } catch (IOException ignored) {
      // the hook closed stdin without reading it: allowed
    }
    byte[][] output = new byte[2][];
    Thread drain = Thread.ofVirtual().start(() -> output[0] = readQuietly(p.getInputStream()));
    Thread drainErr = Thread.ofVirtual().start(() -> output[1] = readQuietly(p.getErrorStream()));
    try {
      int timeout = hook.timeout() == null ? 0 : hook.timeout();
      boolean done = timeout > 0 ? p.waitFor(timeout, TimeUnit.SECONDS) : p.waitFor() >= Integer.MIN_VALUE;
      if (!done) {
        p.destroyForcibly();
        p.waitFor();
        throw new HookException("error running " + what + ": timed out after " + timeout + "s");
      }
      drain.join(1000);
      drainErr.join(1000);
      if (p.exitValue() != 0) {
        throw new HookException("error running " + what + ": exit status " + p.exitValue()
            + tail(", stdout: ", output[0]) + tail(", stderr: ", output[1]));
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new HookException("error running " + what + ": interrupted");
    }
  }

  /** Drains the hook's output, keeping only its end: a hook that writes forever costs no memory. */
  private static byte[] readQuietly(InputStream in) {
    return io.jrunc.core.sys.BoundedFile.tail(in, io.jrunc.core.sys.BoundedFile.OUTPUT_TAIL);
  }

  private static String tail(String label, byte[] b) {
    if (b == null || b.length == 0) return "";
    String s = new String(b).trim();
    return label + (s.length() > 500 ? s.substring(s.length() - 500) : s);
  }
}
