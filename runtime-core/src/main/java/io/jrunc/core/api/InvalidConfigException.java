package io.jrunc.core.api;

import io.jrunc.spec.validate.Problem;
import java.util.ArrayList;
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
    this(lines(fileName, details), List.copyOf(details));
  }

  /** Problems as formatted lines ({@code config.json: /pointer: message} or free text). */
  public InvalidConfigException(List<String> problems) {
    this(problems, parse(problems));
  }

  public InvalidConfigException(String problem) {
    this(List.of(problem));
  }

  private InvalidConfigException(List<String> problems, List<Problem> details) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
    this.details = details;
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

  private static List<String> lines(String fileName, List<Problem> details) {
    List<String> out = new ArrayList<>();
    for (Problem p : details) out.add(p.format(fileName));
    return out;
  }

  /** {@code config.json: /a/b: message} back into pointer and message; other text is about the whole document. */
  private static List<Problem> parse(List<String> lines) {
    List<Problem> out = new ArrayList<>();
    for (String line : lines) {
      String rest = line.startsWith("config.json: ") ? line.substring("config.json: ".length()) : line;
      int sep = rest.indexOf(": ");
      if (rest.startsWith("/") && sep > 0) {
        out.add(new Problem(rest.substring(0, sep), rest.substring(sep + 2)));
      } else {
        out.add(new Problem("", rest));
      }
    }
    return List.copyOf(out);
  }
}
