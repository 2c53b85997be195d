package io.jrunc.core.failure;

/** No container of that id exists. The text is runc's, which engines match. */
public final class NotFoundFailure extends ContainerFailure {
  private final String id;

  public NotFoundFailure(String id) {
    super("container does not exist");
    this.id = id;
  }

  public String id() {
    return id;
  }
}
