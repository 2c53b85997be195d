package io.jrunc.core.api;

/**
 * The container's {@code state.json} is not a well-formed record (a field of the wrong type, a
 * missing field, not JSON). Every command refuses it, naming the file and the field; only
 * {@code delete(id, true)} goes on, finding the container's processes by what can still be
 * trusted (its cgroup, its init's pid and start time) before it removes anything.
 */
public final class MalformedStateException extends ContainerException {
  public MalformedStateException(String message, Throwable cause) {
    super(message, cause);
  }
}
