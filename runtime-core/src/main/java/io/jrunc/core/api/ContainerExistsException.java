package io.jrunc.core.api;

/** A container of that id exists already. The text is runc's, which engines match. */
public final class ContainerExistsException extends ContainerException {
  public ContainerExistsException(String id) {
    super("container with given ID already exists");
  }
}
