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
    Options o = Options.of(args); // usage errors exit 1, as runc's checkArgs
    try {
      return execute(o, global);
    } catch (io.jrunc.cli.args.UsageException e) {
      throw e;
    } catch (CliException e) {
      // runc: "exec failed: ..." with status 255, so that a caller can tell the runtime's
      // failure from the process's own exit status
      throw new CliException("exec failed: " + e.getMessage(), 255, e);
    }
  }

  /**
   * The process to run, as runc's {@code getProcess} builds it.
   *
   * <table>
   *   <caption>Sources</caption>
   *   <tr><th>given</th><th>result</th></tr>
   *   <tr><td>{@code -p FILE}</td><td>the file's process, validated (pointers relative to the
   *       file); {@code -t} forces a terminal. Process options (command, --cwd, -e, -u, -g, -c,
   *       --apparmor, --process-label, --no-new-privs) next to it are an error (runc ignores
   *       them).</td></tr>
   *   <tr><td>a command</td><td>the container's config.json process with: args = the command;
   *       env += {@code -e}; cwd, apparmor, selinux label replaced when given; terminal =
   *       {@code -t}; noNewPrivileges when {@code --no-new-privs}; user {@code uid[:gid]}
   *       replaces uid (and gid); {@code -g} appended to additionalGids; each {@code -c} cap added
   *       to bounding, effective and permitted, and to ambient when the config has inheritable
   *       caps (ambient needs inheritable).</td></tr>
   * </table>
   *
   * @param config the container's config.json (for the command form)
   */
  public static io.jrunc.spec.Process process(Options o, io.jrunc.spec.Spec config)
      throws CliException {
    if (o.process() != null) {
      if (!o.args().isEmpty() || o.cwd() != null || !o.env().isEmpty() || o.user() != null
          || !o.additionalGids().isEmpty() || !o.caps().isEmpty() || o.apparmor() != null
          || o.processLabel() != null || o.noNewPrivs()) {
        throw new io.jrunc.cli.args.UsageException(
            "exec: --process cannot be combined with a command or with process options (--cwd,"
                + " -e, -u, -g, -c, --apparmor, --process-label, --no-new-privs)");
      }
      byte[] json;
      try {
        json = io.jrunc.core.api.host.LimitedFiles.readJsonArgument(o.process(), "exec --process");
      } catch (java.nio.file.NoSuchFileException e) {
        throw new CliException("open " + o.process() + ": no such file or directory (ENOENT)");
      } catch (io.jrunc.core.api.host.LimitedFiles.RefusedException e) {
        throw new CliException(e.getMessage(), e);
      } catch (java.io.IOException e) {
        throw new CliException("read " + o.process() + ": " + e.getMessage(), e);
      }
      io.jrunc.spec.Process p;
      try {
        p =
            io.jrunc.spec.validate.Validator.requireValidProcess(
                json,
                io.jrunc.spec.validate.ValidationOptions.forCreate()
                    .withFileName(o.process().getFileName().toString()));
      } catch (io.jrunc.spec.InvalidSpecException e) {
        throw new CliException(e.getMessage(), e);
      }
      return o.tty() ? p.withTerminal(true) : p;
    }
    if (o.args().isEmpty()) {
      // runc's words and status (255, "exec failed: ..."): neither -p nor a command
      throw new CliException("exec args cannot be empty (give a command after the container id, or --process)");
    }
    io.jrunc.spec.Process p = config == null ? null : config.process();
    if (p == null) {
      throw new CliException("exec: the container's config.json has no process to start from");
    }
    p = p.withArgs(o.args()).withTerminal(o.tty());
    if (o.cwd() != null && !o.cwd().isEmpty()) {
      p = p.withCwd(o.cwd());
    }
    if (o.apparmor() != null && !o.apparmor().isEmpty()) {
      p = p.withApparmorProfile(o.apparmor());
    }
    if (o.processLabel() != null && !o.processLabel().isEmpty()) {
      p = p.withSelinuxLabel(o.processLabel());
    }
    if (!o.env().isEmpty()) {
      java.util.List<String> env = new java.util.ArrayList<>(p.env() == null ? List.of() : p.env());
      env.addAll(o.env());
      p = p.withEnv(List.copyOf(env));
    }
    if (o.noNewPrivs()) {
      p = p.withNoNewPrivileges(true);
    }
    io.jrunc.spec.User user =
        p.user() == null ? new io.jrunc.spec.User(0L, 0L, null, null, null) : p.user();
    if (o.user() != null && !o.user().isEmpty()) {
      String[] parts = o.user().split(":", 2);
      user = user.withUid(id(parts[0], "uid"));
      if (parts.length > 1) {
        user = user.withGid(id(parts[1], "gid"));
      }
    }
    if (!o.additionalGids().isEmpty()) {
      java.util.List<Long> gids =
          new java.util.ArrayList<>(user.additionalGids() == null ? List.of() : user.additionalGids());
      for (String g : o.additionalGids()) {
        gids.add(id(g, "additional gid"));
      }
      user = user.withAdditionalGids(List.copyOf(gids));
    }
    p = p.withUser(user);
    if (!o.caps().isEmpty()) {
      io.jrunc.spec.LinuxCapabilities c =
          p.capabilities() == null
              ? new io.jrunc.spec.LinuxCapabilities(null, null, null, null, null)
              : p.capabilities();
      c =
          c.withBounding(plus(c.bounding(), o.caps()))
              .withEffective(plus(c.effective(), o.caps()))
              .withPermitted(plus(c.permitted(), o.caps()));
      if (c.inheritable() != null) {
        c = c.withAmbient(plus(c.ambient(), o.caps()));
      }
      p = p.withCapabilities(c);
    }
    return p;
  }

  private static long id(String text, String what) throws CliException {
    try {
      long v = Long.parseLong(text.trim());
      if (v < 0 || v > Integer.MAX_VALUE) { // runc's range: 4294967295 is setresuid's "leave it"
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      // not a usage error: runc's exec fails with 255 on its -u/-g values too
      throw new CliException(what + " \"" + text + "\" is not a number from 0 to 2147483647");
    }
  }

  private static List<String> plus(List<String> base, List<String> more) {
    java.util.List<String> all = new java.util.ArrayList<>(base == null ? List.of() : base);
    for (String m : more) {
      if (!all.contains(m)) {
        all.add(m);
      }
    }
    return List.copyOf(all);
  }

  /**
   * {@code --cgroup} arguments as runc's getSubCgroupPaths reads them, with its words: either one
   * {@code path} (every hierarchy; the only form on v2) or any number of
   * {@code controller[,controller...]:path}. Returns controller ("" for all) to path.
   */
  static java.util.Map<String, String> subCgroups(List<String> args) throws CliException {
    java.util.Map<String, String> paths = new java.util.LinkedHashMap<>();
    if (args == null) return paths;
    for (String c : args) {
      int colon = c.indexOf(':');
      if (colon < 0) {
        if (args.size() != 1) {
          throw new CliException("invalid --cgroup argument: " + c + " (missing <controller>: prefix)");
        }
        paths.put("", c);
        continue;
      }
      String path = c.substring(colon + 1);
      for (String ctrl : c.substring(0, colon).split(",", -1)) {
        if (ctrl.isEmpty()) {
          throw new CliException("invalid --cgroup argument: " + c + " (empty <controller> prefix)");
        }
        if (paths.putIfAbsent(ctrl, path) != null) {
          throw new CliException("invalid --cgroup argument(s): controller " + ctrl + " specified multiple times");
        }
      }
    }
    return paths;
  }

  int execute(Options o, GlobalOptions global) throws CliException {
    java.util.Map<String, String> subCgroups = subCgroups(o.cgroups());
    try {
      io.jrunc.core.api.ContainerRuntime rt = Core.runtime(global);
      io.jrunc.spec.Spec spec = rt.savedConfig(o.id());
      // only what the caller passed (exec passes no LISTEN_FDS, as runc)
      io.jrunc.cli.InheritedFds.requirePassed(0, o.preserveFds());
      io.jrunc.spec.Process proc = process(o, spec);
      boolean terminal = Boolean.TRUE.equals(proc.terminal());
      String ttyProblem = io.jrunc.core.api.host.Terminal.checkFlags(terminal, o.detach(), o.consoleSocket() != null);
      if (ttyProblem != null) throw new CliException(ttyProblem);
      io.jrunc.core.api.ExecOptions eo = io.jrunc.core.api.ExecOptions.defaults()
          .withPidFile(o.pidFile())
          .withPreserveFds(o.preserveFds())
          .withIgnorePaused(o.ignorePaused())
          .withConsoleSocket(o.consoleSocket())
          .withPidfdSocket(o.pidfdSocket())
          .withSubCgroups(subCgroups);
      // a terminal in the foreground: we are the console socket's other end and relay it
      io.jrunc.core.api.host.Terminal relay = null;
      // without one, what of our stdio is a terminal or a file goes through pipes (StdioRelay)
      StdioRelay pipes = terminal || o.detach() ? null : StdioRelay.plan();
      if (pipes != null) eo = eo.withStdio(pipes.stdio());
      try {
        if (terminal && !o.detach()) {
          relay = io.jrunc.core.api.host.Terminal.prepare();
          eo = eo.withConsoleFd(relay.consoleFd());
        }
        io.jrunc.core.api.ContainerProcess p = rt.exec(o.id(), proc, eo);
        if (pipes != null) pipes.start(p);
        if (relay != null) {
          try {
            relay.receive(); // sent before exec returned: it waits in the socket
            relay.relay(0, 1);
          } catch (java.io.IOException x) {
            p.kill(9);
            p.waitFor();
            throw x;
          }
        }
        if (o.detach()) return 0;
        SignalForwarder fwd = SignalForwarder.install(p::kill);
        int status;
        try {
          status = p.waitFor();
        } finally {
          fwd.uninstall();
        }
        if (relay != null) RunCommand.drain(relay);
        if (pipes != null) RunCommand.drain(pipes);
        return status;
      } catch (java.io.IOException x) {
        throw new CliException("exec in " + o.id() + ": " + x.getMessage(), x);
      } finally {
        if (relay != null) relay.close(); // restores the caller's terminal
      }
    } catch (io.jrunc.core.api.ContainerException e) {
      throw Core.fail(e);
    }
  }
}
