package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import io.jrunc.spec.DefaultSpecs;
import io.jrunc.spec.Json;
import io.jrunc.spec.Spec;

/** {@code jrunc spec [--rootless] [-b DIR]}: writes a starter config.json into the bundle. */
public final class SpecCommand implements Command {
  static final List<Flag> FLAGS =
      List.of(
          Flag.string("bundle", "path to the root of the bundle directory", "b"),
          Flag.bool("rootless", "generate a configuration for a rootless container"));

  /**
   * Typed options.
   *
   * @param bundle the bundle directory (default: the current directory)
   * @param rootless {@code --rootless}
   */
  public record Options(Path bundle, boolean rootless) {
    public static Options of(ParsedArgs a) throws CliException {
      a.requireExactly("spec", 0);
      String b = a.string("bundle");
      return new Options(Path.of(b == null || b.isEmpty() ? "." : b), a.bool("rootless"));
    }
  }

  @Override
  public String name() {
    return "spec";
  }

  @Override
  public String summary() {
    return "create a new specification file";
  }

  @Override
  public String description() {
    return "The spec command creates the new specification file named \"config.json\" for the"
        + " bundle. It runs /bin/sh in a rootfs directory named \"rootfs\"; edit it to suit."
        + " An existing config.json is never overwritten.";
  }

  @Override
  public List<Flag> flags() {
    return FLAGS;
  }

  @Override
  public int run(ParsedArgs args, GlobalOptions global) throws CliException {
    Options o = Options.of(args);
    write(o.bundle(), o.rootless());
    return 0;
  }

  /** Writes {@code bundle/config.json}; refuses to replace an existing one, like runc. */
  public static void write(Path bundle, boolean rootless) throws CliException {
    if (!Files.isDirectory(bundle)) {
      throw new CliException("chdir " + bundle + ": no such file or directory (ENOENT)");
    }
    Path config = bundle.resolve("config.json");
    if (Files.exists(config, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new CliException("File config.json exists. Remove it first");
    }
    // runc writes json.MarshalIndent(spec, "", "\t") as is: tab indent, no trailing newline
    byte[] json = Json.writePretty(template(rootless)).getBytes(StandardCharsets.UTF_8);
    try {
      // CREATE_NEW: a config.json appearing meanwhile is still never overwritten
      Files.write(config, json, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (FileAlreadyExistsException e) {
      throw new CliException("File config.json exists. Remove it first");
    } catch (NoSuchFileException e) {
      throw new CliException("write " + config + ": no such file or directory (ENOENT)");
    } catch (IOException e) {
      throw new CliException("write " + config + ": " + e.getMessage(), e);
    }
  }

  /** runc's starter spec, or its rootless variant for the calling user. */
  static Spec template(boolean rootless) {
    return rootless ? DefaultSpecs.rootless() : DefaultSpecs.runcDefault();
  }
}
