package io.jrunc.core.failure;

import io.jrunc.spec.validate.Problem;
import java.util.ArrayList;
import java.util.List;

/**
 * The bundle's config.json (or an exec process) is missing, malformed or invalid; every problem
 * is kept both as the line the CLI prints ({@code config.json: /linux/sysctl/vm.swappiness: ...})
 * and with its RFC 6901 JSON pointer. The API's {@code InvalidConfigException} is built from
 * this, so the two forms are derived in one place.
 */
public final class InvalidConfigFailure extends ContainerFailure {
  private final List<String> problems;
  private final List<Problem> details;

  /** Problems found by the validator in {@code fileName}. */
  public InvalidConfigFailure(String fileName, List<Problem> details) {
    this(lines(fileName, details), List.copyOf(details));
  }

  /** Problems as formatted lines ({@code config.json: /pointer: message} or free text). */
  public InvalidConfigFailure(List<String> problems) {
    this(problems, parse(problems));
  }

  public InvalidConfigFailure(String problem) {
    this(List.of(problem));
  }

  private InvalidConfigFailure(List<String> problems, List<Problem> details) {
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
   * options that came with it).
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
