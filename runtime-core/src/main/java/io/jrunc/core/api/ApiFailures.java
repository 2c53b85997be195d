package io.jrunc.core.api;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.ExistsFailure;
import io.jrunc.core.failure.InvalidConfigFailure;
import io.jrunc.core.failure.InvalidStateFailure;
import io.jrunc.core.failure.MalformedStateFailure;
import io.jrunc.core.failure.NotFoundFailure;
import io.jrunc.core.failure.SetupFailure;

/**
 * The API edge's one translation (as the JDK's {@code UnixException.translateToIOException}):
 * every verb of {@link ContainerRuntime}, {@link Container} and {@link ContainerProcess} catches
 * the container layer's {@link ContainerFailure} and throws what this returns. The layers below
 * never see the public types, so they do not import this package.
 *
 * <p>Each kind maps to exactly one public exception, one to one, with the same message (the CLI
 * prints it: runc's words), the same cause and the failure's stack trace, so a trace still shows
 * where inside the runtime it was thrown. Adding a kind to the sealed {@link ContainerFailure}
 * fails to compile here until it is mapped.
 */
final class ApiFailures {
  private ApiFailures() {}

  static ContainerException translate(ContainerFailure f) {
    ContainerException e = switch (f) {
      case ExistsFailure x -> new ContainerExistsException(x.id());
      case NotFoundFailure x -> new ContainerNotFoundException(x.id());
      case InvalidConfigFailure x -> new InvalidConfigException(x);
      case InvalidStateFailure x -> new InvalidStateException(x.getMessage(), status(x.status()));
      case MalformedStateFailure x -> new MalformedStateException(x.getMessage(), x.getCause());
      case SetupFailure x -> new SetupException(x.getMessage(), x.operation(), x.path(), x.errno(), x.getCause());
    };
    e.setStackTrace(f.getStackTrace());
    return e;
  }

  /** The container layer's status as the API's (the same constants, by name). */
  static ContainerStatus status(io.jrunc.core.failure.Status s) {
    return s == null ? null : ContainerStatus.valueOf(s.name());
  }
}
