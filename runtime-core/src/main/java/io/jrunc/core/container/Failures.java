package io.jrunc.core.container;

import io.jrunc.core.api.ContainerException;
import io.jrunc.core.api.InvalidConfigException;
import io.jrunc.core.api.SetupException;
import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.hooks.HookRunner;
import io.jrunc.core.rootfs.RootfsConfigException;
import io.jrunc.core.security.SecurityConfigException;
import io.jrunc.core.spawn.StepFailedException;
import io.jrunc.core.sys.SysException;

/**
 * The one translation of the lower layers' exceptions into the API's (as the JDK's
 * {@code UnixException.translateToIOException}): the lower layers throw their own, which
 * already name the operation, the path and the errno; the verbs translate once, here, where
 * they hand a failure to the API. The message stays the lower layer's sentence, so the CLI
 * prints the same words.
 *
 * <table>
 *   <caption>Translation</caption>
 *   <tr><th>thrown</th><th>becomes</th></tr>
 *   <tr><td>{@link ContainerException}</td><td>itself</td></tr>
 *   <tr><td>{@link SysException} (a system call in the runtime)</td><td>{@link SetupException} with operation, path, errno</td></tr>
 *   <tr><td>{@link StepFailedException} (a step of a child program)</td><td>{@link SetupException} with errno</td></tr>
 *   <tr><td>{@link RootfsConfigException}, {@link SecurityConfigException}</td><td>{@link InvalidConfigException} ("config.json: ...")</td></tr>
 *   <tr><td>{@link CgroupException}, {@link HookRunner.HookException}, any other</td><td>{@link SetupException}, errno 0</td></tr>
 * </table>
 */
final class Failures {
  private Failures() {}

  static ContainerException translate(Throwable e) {
    return switch (e) {
      case ContainerException ce -> ce;
      case SysException s -> new SetupException(s.getMessage(), s.operation(), s.target(), s.errno(), s);
      case StepFailedException s -> new SetupException(s.getMessage(), null, null, s.errno(), s);
      case RootfsConfigException r -> new InvalidConfigException("config.json: " + r.getMessage());
      case SecurityConfigException r -> new InvalidConfigException("config.json: " + r.getMessage());
      default -> new SetupException(e.getMessage() == null ? e.toString() : e.getMessage(), 0, e);
    };
  }
}
