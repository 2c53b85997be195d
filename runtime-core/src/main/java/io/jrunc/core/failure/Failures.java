package io.jrunc.core.failure;

import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.hooks.HookRunner;
import io.jrunc.core.rootfs.RootfsConfigException;
import io.jrunc.core.security.SecurityConfigException;
import io.jrunc.core.spawn.StepFailedException;
import io.jrunc.core.sys.SysException;

/**
 * The one translation of the lower layers' exceptions into the container layer's own
 * {@link ContainerFailure} kinds: the lower layers throw their own, which already name the
 * operation, the path and the errno; the verbs translate once, here. The API translates each
 * {@link ContainerFailure} kind once more, one to one, into its public exception
 * ({@code io.jrunc.core.api.ApiFailures}, as the JDK's {@code UnixException.translateToIOException}
 * at the API edge), so this layer never imports the API. The message stays the lower layer's
 * sentence, so the CLI prints the same words.
 *
 * <table>
 *   <caption>Translation</caption>
 *   <tr><th>thrown</th><th>becomes</th></tr>
 *   <tr><td>{@link ContainerFailure}</td><td>itself</td></tr>
 *   <tr><td>{@link SysException} (a system call in the runtime)</td><td>{@link SetupFailure} with operation, path, errno</td></tr>
 *   <tr><td>{@link StepFailedException} (a step of a child program)</td><td>{@link SetupFailure} with errno</td></tr>
 *   <tr><td>{@link RootfsConfigException}, {@link SecurityConfigException}</td><td>{@link InvalidConfigFailure} ("config.json: ...")</td></tr>
 *   <tr><td>{@link CgroupException}, {@link HookRunner.HookException}, any other</td><td>{@link SetupFailure}, errno 0</td></tr>
 * </table>
 */
public final class Failures {
  private Failures() {}

  public static ContainerFailure translate(Throwable e) {
    return switch (e) {
      case ContainerFailure ce -> ce;
      case SysException s -> new SetupFailure(s.getMessage(), s.operation(), s.target(), s.errno(), s);
      case StepFailedException s -> new SetupFailure(s.getMessage(), null, null, s.errno(), s.said(), s);
      case RootfsConfigException r -> new InvalidConfigFailure("config.json: " + r.getMessage());
      case SecurityConfigException r -> new InvalidConfigFailure("config.json: " + r.getMessage());
      default -> new SetupFailure(e.getMessage() == null ? e.toString() : e.getMessage(), 0, e);
    };
  }
}
