package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.core.api.ContainerException;
import io.jrunc.core.api.ContainerRuntime;

/** The CLI's bridge to runtime-core: the runtime for {@code --root}, and errors as CLI errors. */
final class Core {
  private Core() {}

  static ContainerRuntime runtime(GlobalOptions global) {
    return ContainerRuntime.open(global.root(), global.rootless());
  }

  /** The core's message is already the one line engines match (runc's wording). */
  static CliException fail(ContainerException e) {
    return new CliException(e.getMessage(), e);
  }
}
