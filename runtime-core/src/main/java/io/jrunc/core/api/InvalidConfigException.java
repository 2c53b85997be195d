package io.jrunc.core.api;

import java.util.List;

/** The bundle's config.json is missing, malformed or invalid; every problem is listed. */
public final class InvalidConfigException extends ContainerException {
  private final List<String> problems;

  public InvalidConfigException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  public InvalidConfigException(String problem) {
    this(List.of(problem));
  }

  public List<String> problems() {
    return problems;
  }
}
