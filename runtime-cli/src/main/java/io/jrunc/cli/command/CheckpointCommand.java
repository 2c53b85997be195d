package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import java.util.List;

/**
 * {@code jrunc checkpoint}: NOT supported (jrunc has no CRIU integration). The flags parse so
 * that a runc command line gets this clear error rather than "flag provided but not defined".
 * podman decides whether a runtime supports checkpointing by the exit status of {@code
 * checkpoint --help}, so that exits 1 here.
 */
public final class CheckpointCommand implements Command {
  static final String NOT_SUPPORTED =
      "checkpoint is not supported: jrunc has no CRIU integration";

  static final List<Flag> FLAGS =
      List.of(
          Flag.string("image-path", "path for saving criu image files"),
          Flag.string("work-path", "path for saving work files and logs"),
          Flag.string("parent-path", "path for previous criu image files in pre-dump"),
          Flag.bool("leave-running", "leave the process running after checkpointing"),
          Flag.bool("tcp-established", "allow open tcp connections"),
          Flag.bool("tcp-skip-in-flight", "skip in-flight tcp connections"),
          Flag.bool("link-remap", "allow one to link unlinked files back when possible"),
          Flag.bool("ext-unix-sk", "allow external unix sockets"),
          Flag.bool("shell-job", "allow shell jobs"),
          Flag.bool("lazy-pages", "use userfaultfd to lazily restore memory pages"),
          Flag.string("status-fd", "criu writes \\0 to this FD once lazy-pages is ready"),
          Flag.string("page-server", "ADDRESS:PORT of the page server"),
          Flag.bool("file-locks", "handle file locks, for safety"),
          Flag.bool("pre-dump", "dump container's memory information only, leave the container running after this"),
          Flag.string("manage-cgroups-mode", "cgroups mode: soft|full|strict|ignore"),
          Flag.list("empty-ns", "create a namespace, but don't restore its properties"),
          Flag.bool("auto-dedup", "enable auto deduplication of memory images"));

  @Override
  public String name() {
    return "checkpoint";
  }

  @Override
  public String summary() {
    return "checkpoint a running container (not supported by jrunc)";
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
