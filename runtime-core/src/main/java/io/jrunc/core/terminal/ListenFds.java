package io.jrunc.core.terminal;

import java.util.List;
import java.util.Map;

/**
 * Socket activation passthrough ({@code LISTEN_FDS}, sd_listen_fds(3)), as runc's
 * {@code startContainer}/{@code runner.run} do it for create and run (not for exec):
 *
 * <table>
 *   <caption>Rules</caption>
 *   <tr><th>runtime's environment</th><th>container init gets</th></tr>
 *   <tr><td>{@code LISTEN_PID} equal to the runtime's pid and {@code LISTEN_FDS=n}, n &gt;
 *       0 (go-systemd's {@code activation.Files}: fds meant for someone else are not
 *       taken)</td><td>{@code LISTEN_FDS=n} and {@code LISTEN_PID=1} appended to
 *       {@code process.env}; fds 3..3+n-1 passed at the same numbers</td></tr>
 *   <tr><td>otherwise</td><td>nothing</td></tr>
 *   <tr><td>{@code --preserve-fds N}</td><td>counted after the listen fds: fds 3+n..3+n+N-1
 *       (runc's {@code baseFd = 3 + len(ExtraFiles)})</td></tr>
 * </table>
 *
 * <p>runc does not pass {@code LISTEN_FDNAMES}; neither do we.
 */
public final class ListenFds {
  private ListenFds() {}

  /**
   * @param env entries to append to the process's env (empty without activation)
   * @param listenFds how many listen fds (n)
   * @param preserveFds how many fds above stdio the process inherits in all: n + N, the value
   *     for the close_range step ({@code close_range(3 + preserveFds, ...)})
   */
  public record Result(List<String> env, int listenFds, int preserveFds) {}

  /** {@code runtimeEnv} is the runtime's own environment ({@code System.getenv()}). */
  public static Result compute(Map<String, String> runtimeEnv, long runtimePid, int preserveFds) {
    if (preserveFds < 0) throw new IllegalArgumentException("--preserve-fds must not be negative: " + preserveFds);
    int n = listenFds(runtimeEnv, runtimePid);
    if (n == 0) return new Result(List.of(), 0, preserveFds);
    return new Result(List.of("LISTEN_FDS=" + n, "LISTEN_PID=1"), n, n + preserveFds);
  }

  /** {@link #compute} with this process's environment and pid. */
  public static Result compute(int preserveFds) {
    Map<String, String> env = System.getenv();
    // the pid only when there is a LISTEN_PID to compare: ProcessHandle's first use sets up the
    // JDK's process reaper, ~0.5 ms of every cold create
    long pid = env.get("LISTEN_PID") == null ? -1 : ProcessHandle.current().pid();
    return compute(env, pid, preserveFds);
  }

  private static int listenFds(Map<String, String> env, long pid) {
    String fds = env.get("LISTEN_FDS");
    String lpid = env.get("LISTEN_PID");
    if (fds == null || fds.isEmpty() || lpid == null) return 0;
    try {
      if (Long.parseLong(lpid.trim()) != pid) return 0;
      int n = Integer.parseInt(fds.trim());
      // sd_listen_fds caps nothing, but an fd number beyond INT_MAX - 3 cannot exist.
      return n > 0 && n < Integer.MAX_VALUE - 3 ? n : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
