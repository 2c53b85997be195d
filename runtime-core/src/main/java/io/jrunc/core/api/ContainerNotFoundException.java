package io.jrunc.core.api;

/** No container of that id exists. The text is runc's, which engines match. */
public final class ContainerNotFoundException extends ContainerException {
  public ContainerNotFoundException(String id) {
    super("container does not exist");
  }
}
