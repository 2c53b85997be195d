package io.jrunc.cli.command;

import io.jrunc.core.api.CreateOptions;
import io.jrunc.core.api.ContainerException;
import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import java.nio.file.Path;
import java.util.List;

/** {@code jrunc create [options] <container-id>}: sets a container up, its process waiting. */
public final class CreateCommand implements Command {
  /** create's flags; {@code run} and {@code restore} reuse them. */
  static final List<Flag> FLAGS =
      List.of(
          Flag.string(
              "bundle",
              "path to the root of the bundle directory, defaults to the current directory",
              "b"),
          Flag.string(
              "console-socket",
              "path to an AF_UNIX socket which will receive a file descriptor referencing the"
                  + " master end of the console's pseudoterminal"),
          Flag.string(
              "pidfd-socket",
              "path to an AF_UNIX socket which will receive a file descriptor referencing the"
                  + " init process"),
          Flag.string("pid-file", "specify the file to write the process id to"),
          Flag.bool(
              "no-pivot",
              "do not use pivot root to jail process inside rootfs.  This should be used"
                  + " whenever the rootfs is on top of a ramdisk"),
          Flag.bool(
              "no-new-keyring",
              "do not create a new session keyring for the container.  This will cause the"
                  + " container to inherit the calling processes session key"),
          Flag.integer(
                  "preserve-fds",
                  "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N"
                      + " in total)")
              .withDefault("0"));

  /**
   * Typed options.
   *
   * @param id the container id
   * @param bundle the bundle directory, absolute (default: the current directory)
   * @param consoleSocket {@code --console-socket}, absolute, or null
   * @param pidfdSocket {@code --pidfd-socket}, absolute, or null
   * @param pidFile {@code --pid-file}, absolute, or null
   * @param noPivot {@code --no-pivot}
   * @param noNewKeyring {@code --no-new-keyring}
   * @param preserveFds {@code --preserve-fds}, 0 when absent
   */
  public record Options(
      String id,
      Path bundle,
      Path consoleSocket,
      Path pidfdSocket,
      Path pidFile,
      boolean noPivot,
      boolean noNewKeyring,
      int preserveFds) {
    public static Options of(ParsedArgs a) throws CliException {
      return of(a, "create");
    }

    static Options of(ParsedArgs a, String command) throws CliException {
      a.requireExactly(command, 1);
      int fds = a.integer("preserve-fds", 0);
      if (fds < 0) {
        throw new io.jrunc.cli.args.UsageException(
            "invalid value for preserve-fds: " + fds + " (must be 0 or more)");
      }
      String bundle = a.string("bundle");
      return new Options(
          OptionValues.id(a),
          OptionValues.absolute(bundle == null || bundle.isEmpty() ? "." : bundle),
          OptionValues.absolute(a.string("console-socket")),
          OptionValues.absolute(a.string("pidfd-socket")),
          OptionValues.absolute(a.string("pid-file")),
          a.bool("no-pivot"),
          a.bool("no-new-keyring"),
          fds);
    }
  }

  @Override
  public String name() {
    return "create";
  }

  @Override
  public String summary() {
    return "create a container";
  }

  @Override
  public String argsUsage() {
    return "<container-id>";
  }

  @Override
  public String description() {
    return "The create command creates an instance of a container for a bundle. The bundle is a"
        + " directory with a specification file named \"config.json\" and a root filesystem.";
  }

  @Override
  public List<Flag> flags() {
    return FLAGS;
  }

  @Override
  public int run(ParsedArgs args, GlobalOptions global) throws CliException {
    return execute(Options.of(args), global);
  }

  int execute(Options o, GlobalOptions global) throws CliException {
    try {
      Core.runtime(global).create(o.id(), toCore(o, global));
      return 0;
    } catch (ContainerException e) {
      throw Core.fail(e);
    }
  }

  static CreateOptions toCore(Options o, GlobalOptions global) throws CliException {
    // only what the caller passed: not the JVM's or our own fds in the numbers it left closed
    io.jrunc.cli.InheritedFds.requirePassed(io.jrunc.core.api.host.HostProbes.listenFds(), o.preserveFds());
    return CreateOptions.bundle(o.bundle())
        .withPidFile(o.pidFile())
        .withConsoleSocket(o.consoleSocket())
        .withPidfdSocket(o.pidfdSocket())
        .withNoPivot(o.noPivot())
        .withNoNewKeyring(o.noNewKeyring())
        .withPreserveFds(o.preserveFds())
        .withSystemdCgroup(global.systemdCgroup());
  }
}
