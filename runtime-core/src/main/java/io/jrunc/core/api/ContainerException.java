package io.jrunc.core.api;

/**
 * Base of every error the runtime reports to an embedder. The message is the one sentence a
 * user sees (the CLI prints it as is); subclasses let callers branch on the kind.
 */
public class ContainerException extends Exception {
  public ContainerException(String message) {
    super(message);
  }

  public ContainerException(String message, Throwable cause) {
    super(message, cause);
  }
}
