package io.jrunc.core.api;

import io.jrunc.core.failure.InvalidConfigFailure;
import io.jrunc.spec.validate.Problem;
import java.util.List;

/**
 * The bundle's config.json (or an exec process) is missing, malformed or invalid; every problem
 * is listed, each with its RFC 6901 JSON pointer ({@link #details()}), and as the line the
 * CLI prints ({@link #problems()}: {@code config.json: /linux/sysctl/vm.swappiness: ...}).
 */
public final class InvalidConfigException extends ContainerException {
  private final List<String> problems;
  private final List<Problem> details;

  /** Problems found by the validator in {@code fileName}. */
  public InvalidConfigException(String fileName, List<Problem> details) {
    this(new InvalidConfigFailure(fileName, details));
  }

  /** Problems as formatted lines ({@code config.json: /pointer: message} or free text). */
  public InvalidConfigException(List<String> problems) {
    this(new InvalidConfigFailure(problems));
  }

  public InvalidConfigException(String problem) {
    this(List.of(problem));
  }

  /** The container layer's failure, translated at the API edge: the lines and pointers derived there, once. */
  InvalidConfigException(InvalidConfigFailure f) {
    super(f.getMessage());
    this.problems = f.problems();
    this.details = f.details();
  }

  /** Each problem as the CLI prints it. */
  public List<String> problems() {
    return problems;
  }

  /**
   * Each problem with its JSON pointer ({@code ""} for one about the whole document or the
   * options that came with it, null when the file could not be parsed).
   */
  public List<Problem> details() {
    return details;
  }
}
