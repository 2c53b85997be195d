package io.jrunc.core.failure;

/** A container of that id exists already. The text is runc's, which engines match. */
public final class ExistsFailure extends ContainerFailure {
  private final String id;

  public ExistsFailure(String id) {
    super("container with given ID already exists");
    this.id = id;
  }

  public String id() {
    return id;
  }
}
