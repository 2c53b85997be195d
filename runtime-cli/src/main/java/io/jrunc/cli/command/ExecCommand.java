package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code jrunc exec [options] <container-id> [command [args...]]}: runs a new process in a
 * running container. Flag parsing stops at the command, so {@code exec ID sh -c 'ls -l'} keeps
 * {@code -c} for sh.
 */
public final class ExecCommand implements Command {
  static final List<Flag> FLAGS =
      List.of(
          Flag.string(
              "console-socket",
              "path to an AF_UNIX socket which will receive a file descriptor referencing the"
                  + " master end of the console's pseudoterminal"),
          Flag.string(
              "pidfd-socket",
              "path to an AF_UNIX socket which will receive a file descriptor referencing the"
                  + " exec process"),
          Flag.string("cwd", "current working directory in the container"),
          Flag.list("env", "set environment variables", "e"),
          Flag.bool("tty", "allocate a pseudo-TTY", "t"),
          Flag.string("user", "UID (format: <uid>[:<gid>])", "u"),
          Flag.list("additional-gids", "additional gids", "g"),
          Flag.string("process", "path to the process.json", "p"),
          Flag.bool("detach", "detach from the container's process", "d"),
          Flag.string("pid-file", "specify the file to write the process id to"),
          Flag.string(
              "process-label",
              "set the asm process label for the process commonly used with selinux"),
          Flag.string("apparmor", "set the apparmor profile for the process"),
          Flag.bool("no-new-privs", "set the no new privileges value for the process"),
          Flag.list("cap", "add a capability to the bounding set for the process", "c"),
          Flag.integer(
                  "preserve-fds",
                  "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N"
                      + " in total)")
              .withDefault("0"),
          Flag.list(
              "cgroup",
              "run the process in an (existing) sub-cgroup(s). Format is"
                  + " [<controller>:]<cgroup>."),
          Flag.bool("ignore-paused", "allow exec in a paused container"));

  /**
   * Typed options.
   *
   * @param id the container id
   * @param args the command line after the id (may be empty when {@code --process} is given)
   * @param process {@code -p/--process} process.json, absolute, or null
   * @param consoleSocket absolute, or null
   * @param pidfdSocket absolute, or null
   * @param cwd {@code --cwd}, or null
   * @param env {@code -e}, in order
   * @param tty {@code -t}
   * @param user {@code -u} as given ({@code uid[:gid]}), or null
   * @param additionalGids {@code -g}, as given
   * @param detach {@code -d}
   * @param pidFile absolute, or null
   * @param processLabel or null
   * @param apparmor or null
   * @param noNewPrivs {@code --no-new-privs}
   * @param caps {@code -c}, as given
   * @param preserveFds {@code --preserve-fds}
   * @param cgroups {@code --cgroup}, as given
   * @param ignorePaused {@code --ignore-paused}
   */
  public record Options(
      String id,
      List<String> args,
      Path process,
      Path consoleSocket,
      Path pidfdSocket,
      String cwd,
      List<String> env,
      boolean tty,
      String user,
      List<String> additionalGids,
      boolean detach,
      Path pidFile,
      String processLabel,
      String apparmor,
      boolean noNewPrivs,
      List<String> caps,
      int preserveFds,
      List<String> cgroups,
      boolean ignorePaused) {
    public static Options of(ParsedArgs a) throws CliException {
      a.requireAtLeast("exec", 1);
      int fds = a.integer("preserve-fds", 0);
      if (fds < 0) {
        throw new io.jrunc.cli.args.UsageException(
            "invalid value for preserve-fds: " + fds + " (must be 0 or more)");
      }
      Path process = OptionValues.absolute(a.string("process"));
      List<String> rest = List.copyOf(a.positionalsFrom(1));
      if (process == null && rest.isEmpty()) {
        throw new io.jrunc.cli.args.UsageException(
            "exec: either --process or a command after the container id is required");
      }
      return new Options(
          OptionValues.id(a),
          rest,
          process,
          OptionValues.absolute(a.string("console-socket")),
          OptionValues.absolute(a.string("pidfd-socket")),
          a.string("cwd"),
          List.copyOf(a.list("env")),
          a.bool("tty"),
          a.string("user"),
          List.copyOf(a.list("additional-gids")),
          a.bool("detach"),
          OptionValues.absolute(a.string("pid-file")),
          a.string("process-label"),
          a.string("apparmor"),
          a.bool("no-new-privs"),
          List.copyOf(a.list("cap")),
          fds,
          List.copyOf(a.list("cgroup")),
          a.bool("ignore-paused"));
    }
  }

  @Override
  public String name() {
    return "exec";
  }

  @Override
  public String summary() {
    return "execute new process inside the container";
  }

  @Override
  public String argsUsage() {
    return "<container-id> <command> [command options]  || -p process.json <container-id>";
  }

  @Override
  public String description() {
    return "The exec command executes a new process in a running container. In the foreground"
        + " it exits with the process's status (128+signal when killed).";
  }

  @Override
  public List<Flag> flags() {
    return FLAGS;
  }

  @Override
  public int stopParsingAfter() {
    return 1;
  }

  @Override
  public int run(ParsedArgs args, GlobalOptions global) throws CliException {
    return execute(Options.of(args), global);
  }

  /** TODO(lead): wire to runtime-core: build the Process, exec it, wait unless detached. */
  int execute(Options o, GlobalOptions global) throws CliException {
    throw CliException.notImplemented(name());
  }
}
