package io.jrunc.core.api;

/**
 * Base of every error the runtime reports to an embedder. The message is the one sentence a
 * user sees (the CLI prints it as is); the subclasses, a closed set, let callers branch on the
 * kind with an exhaustive switch.
 */
public abstract sealed class ContainerException extends Exception
    permits ContainerExistsException, ContainerNotFoundException, InvalidConfigException, InvalidStateException,
        MalformedStateException, SetupException {
  public ContainerException(String message) {
    super(message);
  }

  public ContainerException(String message, Throwable cause) {
    super(message, cause);
  }
}
