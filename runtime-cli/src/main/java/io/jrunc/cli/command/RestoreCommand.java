package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import java.util.List;

/** {@code jrunc restore}: NOT supported, like {@link CheckpointCommand}. */
public final class RestoreCommand implements Command {
  static final String NOT_SUPPORTED = "restore is not supported: jrunc has no CRIU integration";

  static final List<Flag> FLAGS =
      List.of(
          Flag.string(
              "console-socket",
              "path to an AF_UNIX socket which will receive a file descriptor referencing the"
                  + " master end of the console's pseudoterminal"),
          Flag.string("image-path", "path to criu image files for restoring"),
          Flag.string("work-path", "path for saving work files and logs"),
          Flag.bool("tcp-established", "allow open tcp connections"),
          Flag.bool("ext-unix-sk", "allow external unix sockets"),
          Flag.bool("shell-job", "allow shell jobs"),
          Flag.bool("file-locks", "handle file locks, for safety"),
          Flag.string("manage-cgroups-mode", "cgroups mode: soft|full|strict|ignore"),
          Flag.string("bundle", "path to the root of the bundle directory", "b"),
          Flag.bool("detach", "detach from the container's process", "d"),
          Flag.string("pid-file", "specify the file to write the process id to"),
          Flag.bool("no-subreaper", "disable the use of the subreaper used to reap reparented processes"),
          Flag.bool("no-pivot", "do not use pivot root to jail process inside rootfs"),
          Flag.list("empty-ns", "create a namespace, but don't restore its properties"),
          Flag.bool("auto-dedup", "enable auto deduplication of memory images"),
          Flag.bool("lazy-pages", "use userfaultfd to lazily restore memory pages"),
          Flag.string("lsm-profile", "Specify an LSM profile to be used during restore in the form of TYPE:NAME"),
          Flag.string("lsm-mount-context", "Specify an LSM mount context to be used during restore"));

  @Override
  public String name() {
    return "restore";
  }

  @Override
  public String summary() {
    return "restore a container from a previous checkpoint (not supported by jrunc)";
  }

  @Override
  public String argsUsage() {
    return "<container-id>";
  }

  @Override
  public String description() {
    return NOT_SUPPORTED + ".";
  }

  @Override
  public List<Flag> flags() {
    return FLAGS;
  }

  @Override
  public String unsupported() {
    return NOT_SUPPORTED;
  }

  @Override
  public int run(ParsedArgs args, GlobalOptions global) throws CliException {
    throw new CliException(NOT_SUPPORTED);
  }
}
