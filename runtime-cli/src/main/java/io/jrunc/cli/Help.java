package io.jrunc.cli;

import io.jrunc.cli.args.Flag;
import io.jrunc.cli.command.Command;
import io.jrunc.cli.command.Commands;
import java.util.List;

/** Help text in urfave/cli's layout (what runc users see). */
public final class Help {
  private Help() {}

  /** The top-level help. */
  public static String app() {
    StringBuilder b = new StringBuilder();
    b.append("NAME:\n   jrunc - Open Container Initiative runtime in Java\n\n");
    b.append(
        "jrunc is a command line client for running applications packaged according to the\n"
            + "Open Container Initiative (OCI) format, a drop-in replacement for runc written in\n"
            + "Java (system calls through the Foreign Function & Memory API).\n\n"
            + "To start a new instance of a container:\n\n"
            + "    # jrunc run [ -b bundle ] <container-id>\n\n");
    b.append("USAGE:\n   jrunc [global options] command [command options] [arguments...]\n\n");
    b.append("VERSION:\n   ").append(Version.VERSION).append("\n\n");
    b.append("COMMANDS:\n");
    List<Command> cmds = Commands.all();
    int w = 0;
    for (Command c : cmds) {
      w = Math.max(w, names(c).length());
    }
    for (Command c : cmds) {
      if (!c.hidden()) {
        b.append("   ").append(pad(names(c), w)).append("  ").append(c.summary()).append('\n');
      }
    }
    b.append("\nGLOBAL OPTIONS:\n");
    List<Flag> global = new java.util.ArrayList<>(GlobalOptions.FLAGS);
    global.add(Flag.bool("help", "show help", "h"));
    options(b, global);
    return b.toString();
  }

  /** The help of one command. */
  public static String command(Command c) {
    StringBuilder b = new StringBuilder();
    b.append("NAME:\n   jrunc ").append(c.name()).append(" - ").append(c.summary()).append("\n\n");
    b.append("USAGE:\n   jrunc ").append(c.name());
    if (!c.flags().isEmpty()) {
      b.append(" [command options]");
    }
    if (!c.argsUsage().isEmpty()) {
      b.append(' ').append(c.argsUsage());
    }
    b.append("\n");
    if (!c.description().isEmpty()) {
      b.append("\nDESCRIPTION:\n   ").append(c.description()).append('\n');
    }
    if (!c.flags().isEmpty()) {
      b.append("\nOPTIONS:\n");
      options(b, c.flags());
    }
    return b.toString();
  }

  private static void options(StringBuilder b, List<Flag> flags) {
    int w = 0;
    for (Flag f : flags) {
      w = Math.max(w, spelling(f).length());
    }
    for (Flag f : flags) {
      if (f.hidden()) {
        continue;
      }
      b.append("   ").append(pad(spelling(f), w)).append("  ").append(f.usage());
      if (f.defaultValue() != null && f.kind() != Flag.Kind.BOOL) {
        b.append(" (default: ").append(f.defaultValue()).append(')');
      }
      b.append('\n');
    }
  }

  /** {@code --bundle value, -b value} */
  private static String spelling(Flag f) {
    StringBuilder s = new StringBuilder();
    String v = f.takesValue() ? " value" : "";
    s.append(f.name().length() == 1 ? "-" : "--").append(f.name()).append(v);
    for (String a : f.aliases()) {
      s.append(", ").append(a.length() == 1 ? "-" : "--").append(a).append(v);
    }
    return s.toString();
  }

  private static String names(Command c) {
    return c.aliases().isEmpty() ? c.name() : c.name() + ", " + String.join(", ", c.aliases());
  }

  private static String pad(String s, int w) {
    return s.length() >= w ? s : s + " ".repeat(w - s.length());
  }
}
