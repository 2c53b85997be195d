package io.jrunc.cli.command;

import java.util.List;

/**
 * The command table. {@link #find} instantiates only the command asked for, so a call loads
 * one command class (start-up time: every CLI call is a fresh JVM).
 */
public final class Commands {
  private Commands() {}

  /** Every command name in help order (runc's order, then jrunc's own). */
  public static final List<String> NAMES =
      List.of(
          "checkpoint", "create", "delete", "events", "exec", "kill", "list", "pause", "ps",
          "restore", "resume", "run", "spec", "start", "state", "update", "features", "validate",
          "help");

  /** The command called {@code name} (or one of its aliases), or null. */
  public static Command find(String name) {
    return switch (name) {
      case "checkpoint" -> new CheckpointCommand();
      case "create" -> new CreateCommand();
      case "delete" -> new DeleteCommand();
      case "events" -> new EventsCommand();
      case "exec" -> new ExecCommand();
      case "kill" -> new KillCommand();
      case "list" -> new ListCommand();
      case "pause" -> new PauseCommand();
      case "ps" -> new PsCommand();
      case "restore" -> new RestoreCommand();
      case "resume" -> new ResumeCommand();
      case "run" -> new RunCommand();
      case "spec" -> new SpecCommand();
      case "start" -> new StartCommand();
      case "state" -> new StateCommand();
      case "update" -> new UpdateCommand();
      case "features" -> new FeaturesCommand();
      case "validate" -> new ValidateCommand();
      case "help", "h" -> new HelpCommand();
      default -> null;
    };
  }

  /** All commands, for help. */
  public static List<Command> all() {
    java.util.ArrayList<Command> all = new java.util.ArrayList<>(NAMES.size());
    for (String n : NAMES) {
      all.add(find(n));
    }
    return all;
  }
}
