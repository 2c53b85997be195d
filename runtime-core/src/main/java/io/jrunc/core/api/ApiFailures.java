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
 * fails ApiFailuresTest until it is mapped here.
 */
final class ApiFailures {
  private ApiFailures() {}

  static ContainerException translate(ContainerFailure f) {
    ContainerException e;
    // instanceof, not a pattern switch: its SwitchBootstraps.typeSwitch spins a class at run time
    // (the AOT cache does not keep it), a few ms on every CLI call that fails, such as kill or
    // state of a container that is gone, which engines make all the time. The switch's
    // exhaustiveness is checked by ApiFailuresTest against ContainerFailure's permitted kinds.
    if (f instanceof ExistsFailure x) e = new ContainerExistsException(x.id());
    else if (f instanceof NotFoundFailure x) e = new ContainerNotFoundException(x.id());
    else if (f instanceof InvalidConfigFailure x) e = new InvalidConfigException(x);
    else if (f instanceof InvalidStateFailure x) e = new InvalidStateException(x.getMessage(), status(x.status()));
    else if (f instanceof MalformedStateFailure x) e = new MalformedStateException(x.getMessage(), x.getCause());
    else if (f instanceof SetupFailure x) e = new SetupException(x.getMessage(), x.operation(), x.path(), x.errno(), x.saidOnStderr(), x.getCause());
    else throw new IllegalStateException("no API exception for " + f.getClass().getName() + ": map it in ApiFailures", f);
    e.setStackTrace(f.getStackTrace());
    return e;
  }

  /** The container layer's status as the API's (the same constants, by name). */
  static ContainerStatus status(io.jrunc.core.failure.Status s) {
    return s == null ? null : ContainerStatus.valueOf(s.name());
  }
}
