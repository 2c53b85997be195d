package io.jrunc.cli.command;

import io.jrunc.core.api.ContainerException;
import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import io.jrunc.cli.args.UsageException;
import io.jrunc.spec.Json;
import io.jrunc.spec.State;
import java.util.ArrayList;
import java.util.List;

/** {@code jrunc list [-f table|json] [-q]}: lists the containers under the root. */
public final class ListCommand implements Command {
  static final List<Flag> FLAGS =
      List.of(
          Flag.string("format", "select one of: table or json", "f").withDefault("table"),
          Flag.bool("quiet", "display only container IDs", "q"));

  /**
   * Typed options.
   *
   * @param json true for {@code --format json}, false for table
   * @param quiet {@code -q}
   */
  public record Options(boolean json, boolean quiet) {
    public static Options of(ParsedArgs a) throws CliException {
      a.requireExactly("list", 0);
      return new Options(jsonFormat(a.string("format")), a.bool("quiet"));
    }
  }

  /** {@code table} → false, {@code json} → true; anything else is runc's "invalid format". */
  static boolean jsonFormat(String format) throws UsageException {
    return switch (format) {
      case "table" -> false;
      case "json" -> true;
      default -> throw new UsageException("invalid format option \"" + format + "\" (table or json)");
    };
  }

  @Override
  public String name() {
    return "list";
  }

  @Override
  public String summary() {
    return "lists containers started by jrunc with the given root";
  }

  @Override
  public List<Flag> flags() {
    return FLAGS;
  }

  @Override
  public int run(ParsedArgs args, GlobalOptions global) throws CliException {
    return execute(Options.of(args), global);
  }

  /**
   * What {@code list} prints for these containers, exactly as runc does.
   *
   * <table>
   *   <caption>Output forms</caption>
   *   <tr><th>options</th><th>output</th></tr>
   *   <tr><td>{@code -q}</td><td>one id per line</td></tr>
   *   <tr><td>{@code --format json}</td><td>one compact JSON array and a newline; {@code null}
   *       when there are no containers (Go encodes runc's nil slice so; go-runc accepts it)</td></tr>
   *   <tr><td>table</td><td>{@code ID PID STATUS BUNDLE CREATED OWNER}, columns aligned like
   *       Go's tabwriter (min width 12, padding 3); a stopped container's pid is 0</td></tr>
   * </table>
   */
  public static String render(List<State> states, Options o) {
    StringBuilder b = new StringBuilder();
    if (o.quiet()) {
      for (State s : states) {
        b.append(s.id()).append('\n');
      }
      return b.toString();
    }
    if (o.json()) {
      if (states.isEmpty()) {
        return "null\n";
      }
      // element by element through the spec codec: a List handed to Json.write would go
      // through jackson-databind (~370 classes loaded, ~25 ms of start-up per call)
      b.append('[');
      for (State s : states) {
        b.append(b.length() > 1 ? "," : "").append(Json.write(s));
      }
      return b.append("]\n").toString();
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"});
    for (State s : states) {
      rows.add(
          new String[] {
            s.id(),
            String.valueOf(s.pid() == null ? 0 : s.pid()),
            s.status(),
            nullToEmpty(s.bundle()),
            nullToEmpty(s.created()),
            nullToEmpty(s.owner())
          });
    }
    return tabwriter(rows);
  }

  /**
   * Go's {@code tabwriter.NewWriter(w, 12, 1, 3, ' ', 0)} for rows of equal length: every cell
   * but the last of a row is padded to its column's widest cell plus 3, at least 12.
   */
  static String tabwriter(List<String[]> rows) {
    int cols = rows.getFirst().length;
    int[] width = new int[cols];
    for (String[] r : rows) {
      for (int c = 0; c < cols - 1; c++) {
        width[c] = Math.max(width[c], Math.max(12, r[c].length() + 3));
      }
    }
    StringBuilder b = new StringBuilder();
    for (String[] r : rows) {
      for (int c = 0; c < cols - 1; c++) {
        b.append(r[c]).append(" ".repeat(width[c] - r[c].length()));
      }
      b.append(r[cols - 1]).append('\n');
    }
    return b.toString();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  int execute(Options o, GlobalOptions global) throws CliException {
    try {
      io.jrunc.core.api.ContainerRuntime lc = Core.runtime(global);
      List<State> states = new java.util.ArrayList<>();
      for (String id : lc.list()) {
        try {
          states.add(lc.state(id));
        } catch (io.jrunc.core.api.MalformedStateException e) {
          // runc's list: the others are still listed, this one is named on stderr
          System.err.println("load container " + id + ": " + e.getMessage());
        } catch (ContainerException e) {
          // removed meanwhile: not listed
        }
      }
      System.out.print(render(states, o));
      return 0;
    } catch (ContainerException e) {
      // the root as the user gave it (the runtime names its absolute path)
      Throwable why = e.getCause() == null ? e : e.getCause();
      throw new CliException("list " + global.root() + ": " + why.getMessage(), e);
    }
  }
}
