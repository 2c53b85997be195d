package io.jrunc.core.failure;

/**
 * Base of every failure the container layer reports upward, a closed set that mirrors the API's
 * {@code ContainerException} kinds case for case. The container layer sits below the API and
 * does not know its types (no package cycle); the API translates each case once, where a verb
 * returns to the embedder ({@code io.jrunc.core.api.ApiFailures}). The message is already the
 * sentence the user sees: the translation never rewrites it.
 */
public abstract sealed class ContainerFailure extends Exception
    permits ExistsFailure, NotFoundFailure, InvalidConfigFailure, InvalidStateFailure, MalformedStateFailure,
        SetupFailure {
  ContainerFailure(String message) {
    super(message);
  }

  ContainerFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
