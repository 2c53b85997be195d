package io.jrunc.core.security;

import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.SysException;
import io.jrunc.core.sys.UnixSockets;
import io.jrunc.spec.Json;
import io.jrunc.spec.State;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parent's side of {@code SCMP_ACT_NOTIFY}: hands the seccomp listener fd to the agent
 * listening at {@code linux.seccomp.listenerPath} (runtime-spec config-linux.md, "The
 * Container Process State").
 *
 * <table>
 *   <caption>Protocol (one connection per process with a filter: the container's init and each
 *       exec'd process, as runc does)</caption>
 *   <tr><th>step</th><th>who</th><th>what</th></tr>
 *   <tr><td>1</td><td>child</td><td>{@code seccomp(SET_MODE_FILTER, NEW_LISTENER, ...)} returns the
 *       listener fd (the step {@link SeccompSetup#emit} returns)</td></tr>
 *   <tr><td>2</td><td>child → parent</td><td>the fd's number on the report pipe; the parent
 *       copies the fd with {@code pidfd_getfd} ({@link SeccompSetup#emitHandOff}, as runc 1.2
 *       does: the child must not depend on calls the profile may NOTIFY)</td></tr>
 *   <tr><td>3</td><td>parent → agent</td><td>connect(AF_UNIX, SOCK_STREAM) to listenerPath; one
 *       {@code sendmsg} whose data is the ContainerProcessState JSON below and whose SCM_RIGHTS
 *       carries the listener fd; close the connection and the parent's copy of the fd</td></tr>
 * </table>
 *
 * <p>The JSON ({@code ContainerProcessState}):
 * {@code {"ociVersion": "...", "fds": ["seccompFd"], "pid": <container pid>,
 * "metadata": <listenerMetadata>, "state": <the container's state: "creating" from create,
 * "running" from exec, its pid init's>}}.
 * The order of {@code fds} names the fds in the SCM_RIGHTS array.
 */
public final class SeccompNotify {
  private SeccompNotify() {}

  /** The name runtime-spec gives the listener fd in {@code fds}. */
  public static final String SECCOMP_FD_NAME = "seccompFd";

  /** The ContainerProcessState document. */
  public static byte[] processState(State state, int pid, String metadata) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ociVersion", state.ociVersion());
    m.put("fds", List.of(SECCOMP_FD_NAME));
    m.put("pid", pid);
    if (metadata != null && !metadata.isEmpty()) m.put("metadata", metadata);
    m.put("state", state);
    return Json.writeBytes(m);
  }

  /** runc's words for an agent that cannot be reached (engines and users search for them). */
  public static final String CONNECT_FAILED = "failed to connect with seccomp agent specified in the seccomp profile";

  /**
   * Connects to {@code listenerPath} and sends the state with {@code listenerFd}. The caller
   * still owns {@code listenerFd} and closes it afterwards (the agent has its own copy).
   *
   * @throws SysException in runc's words, then the path and errno: {@code failed to connect with
   *     seccomp agent specified in the seccomp profile: connect to unix socket /run/agent.sock:
   *     connection refused (ECONNREFUSED)}, or {@code cannot send seccomp fd to /run/agent.sock:
   *     broken pipe (EPIPE)}
   */
  public static void send(String listenerPath, int listenerFd, State state, int pid, String metadata)
      throws SysException {
    byte[] payload = processState(state, pid, metadata);
    int sock;
    try {
      sock = UnixSockets.connect(listenerPath);
    } catch (SysException e) {
      throw new SysException(CONNECT_FAILED + ": " + e.operation(), e.target(), e.errno());
    }
    try {
      UnixSockets.sendFd(sock, listenerFd, payload);
    } catch (SysException e) {
      throw new SysException("cannot send seccomp fd to", listenerPath, e.errno());
    } finally {
      Libc.close(sock);
    }
  }
}
