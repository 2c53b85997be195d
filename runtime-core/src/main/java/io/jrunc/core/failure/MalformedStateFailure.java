package io.jrunc.core.failure;

/**
 * The container's {@code state.json} is not a well-formed record; the message names the file
 * and the field. Only a forced delete goes on past it (see {@code ForcedRemoval}).
 */
public final class MalformedStateFailure extends ContainerFailure {
  public MalformedStateFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
