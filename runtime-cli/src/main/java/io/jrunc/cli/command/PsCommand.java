package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import java.util.List;

/**
 * {@code jrunc ps [-f table|json] <container-id> [ps options]}: the container's processes;
 * arguments after the id go to ps(1) unparsed.
 */
public final class PsCommand implements Command {
  static final List<Flag> FLAGS =
      List.of(Flag.string("format", "select one of: table or json", "f").withDefault("table"));

  /**
   * Typed options.
   *
   * @param id the container id
   * @param json {@code --format json}: a JSON array of host pids
   * @param psArgs the arguments for ps(1) (table format), default {@code -ef} is the wiring's
   */
  public record Options(String id, boolean json, List<String> psArgs) {
    public static Options of(ParsedArgs a) throws CliException {
      a.requireAtLeast("ps", 1);
      return new Options(
          OptionValues.id(a),
          ListCommand.jsonFormat(a.string("format")),
          List.copyOf(a.positionalsFrom(1)));
    }
  }

  @Override
  public String name() {
    return "ps";
  }

  @Override
  public String summary() {
    return "ps displays the processes running inside a container";
  }

  @Override
  public String argsUsage() {
    return "<container-id> [ps options]";
  }

  @Override
  public List<Flag> flags() {
    return FLAGS;
  }

  /** Everything after the id belongs to ps(1), even {@code -o pid}: stop at the id itself. */
  @Override
  public int stopParsingAfter() {
    return 0;
  }

  @Override
  public int run(ParsedArgs args, GlobalOptions global) throws CliException {
    return execute(Options.of(args), global);
  }

  /**
   * What {@code ps} prints for the container's host pids, as runc does: with {@code --format
   * json} the compact array ({@code null} when empty, Go's nil slice); otherwise ps(1) is run
   * with the given arguments ({@code -ef} when none) and its header plus the lines whose PID
   * column holds one of the pids are printed.
   *
   * @throws CliException if ps(1) cannot run or prints no PID column
   */
  public static String render(List<Integer> pids, Options o) throws CliException {
    if (o.json()) {
      if (pids.isEmpty()) {
        return "null\n";
      }
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < pids.size(); i++) {
        b.append(i == 0 ? "" : ",").append(pids.get(i));
      }
      return b.append("]\n").toString();
    }
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add("ps");
    cmd.addAll(o.psArgs().isEmpty() ? List.of("-ef") : o.psArgs());
    String output;
    try {
      java.lang.Process p =
          new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      p.getOutputStream().close();
      output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      int rc = p.waitFor();
      if (rc != 0) {
        throw new CliException(String.join(" ", cmd) + ": exit status " + rc);
      }
    } catch (java.io.IOException e) {
      throw new CliException("run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("run " + String.join(" ", cmd) + ": interrupted", e);
    }
    return filter(output, pids);
  }

  /** The header and the lines of ps output whose PID column is in {@code pids}. */
  static String filter(String psOutput, List<Integer> pids) throws CliException {
    List<String> lines = psOutput.lines().toList();
    if (lines.isEmpty()) {
      throw new CliException("ps printed nothing");
    }
    String[] header = lines.getFirst().trim().split("\\s+");
    int col = java.util.Arrays.asList(header).indexOf("PID");
    if (col < 0) {
      throw new CliException("couldn't find PID field in ps output");
    }
    java.util.Set<Integer> wanted = new java.util.HashSet<>(pids);
    StringBuilder b = new StringBuilder(lines.getFirst()).append('\n');
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.trim().split("\\s+");
      if (f.length <= col) {
        continue;
      }
      try {
        if (wanted.contains(Integer.parseInt(f[col]))) {
          b.append(line).append('\n');
        }
      } catch (NumberFormatException e) {
        throw new CliException("unexpected pid '" + f[col] + "' in ps output");
      }
    }
    return b.toString();
  }

  int execute(Options o, GlobalOptions global) throws CliException {
    try {
      System.out.print(render(Core.runtime(global).processes(o.id()), o));
      return 0;
    } catch (io.jrunc.core.api.ContainerException e) {
      throw Core.fail(e);
    }
  }
}
