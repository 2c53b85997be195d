package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import io.jrunc.core.api.host.LimitedFiles;
import io.jrunc.spec.Spec;
import io.jrunc.spec.validate.Problem;
import io.jrunc.spec.validate.ValidationOptions;
import io.jrunc.spec.validate.ValidationReport;
import io.jrunc.spec.validate.Validator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code jrunc validate [-b DIR]} (jrunc's own): checks the bundle's config.json against the
 * runtime-spec JSON schema and its semantic rules, and that the root filesystem exists. The
 * report goes to stdout, one problem per line ({@code config.json: /json/pointer: message});
 * exit 0 when valid, 1 otherwise (with one error line, like every failing command).
 */
public final class ValidateCommand implements Command {
  static final List<Flag> FLAGS =
      List.of(Flag.string("bundle", "path to the root of the bundle directory", "b"));

  /**
   * Typed options.
   *
   * @param bundle the bundle directory (default: the current directory)
   */
  public record Options(Path bundle) {
    public static Options of(ParsedArgs a) throws CliException {
      a.requireExactly("validate", 0);
      String b = a.string("bundle");
      return new Options(Path.of(b == null || b.isEmpty() ? "." : b));
    }
  }

  @Override
  public String name() {
    return "validate";
  }

  @Override
  public String summary() {
    return "check a bundle's config.json against the OCI runtime-spec (jrunc extension)";
  }

  @Override
  public String description() {
    return "The validate command checks config.json in the bundle against the runtime-spec"
        + " JSON schema and its semantic rules, and that the root filesystem exists; it prints"
        + " every problem with its JSON path. Exit status 0 when the bundle is valid, 1"
        + " otherwise.";
  }

  @Override
  public List<Flag> flags() {
    return FLAGS;
  }

  @Override
  public int run(ParsedArgs args, GlobalOptions global) throws CliException {
    Options o = Options.of(args);
    Path config = o.bundle().resolve("config.json");
    ValidationReport report;
    try {
      byte[] json =
          LimitedFiles.readJson(config, "config.json");
      report =
          Validator.validate(
              json,
              ValidationOptions.full()
                  .withSystemdCgroup(global.systemdCgroup())
                  .withFileName("config.json"));
    } catch (NoSuchFileException e) {
      throw new CliException("open " + config + ": no such file or directory (ENOENT)");
    } catch (LimitedFiles.RefusedException e) {
      throw new CliException(e.getMessage(), e);
    } catch (IOException e) {
      throw new CliException("read " + config + ": " + e.getMessage(), e);
    }
    List<String> lines = new ArrayList<>();
    String problems = report.format();
    if (!problems.isEmpty()) {
      lines.addAll(problems.lines().toList());
    }
    String rootfs = rootfsProblem(o.bundle(), report.spec());
    if (rootfs != null) {
      lines.add(rootfs);
    }
    StringBuilder out = new StringBuilder();
    for (Problem w : report.warnings()) {
      out.append("warning: ").append(w.format(report.fileName())).append('\n');
    }
    for (String l : lines) {
      out.append(l).append('\n');
    }
    if (lines.isEmpty()) {
      out.append(config).append(": valid (OCI runtime-spec ")
          .append(io.jrunc.cli.Version.SPEC_VERSION).append(")\n");
    }
    System.out.print(out);
    if (!lines.isEmpty()) {
      throw new CliException(
          config + " is not valid: " + lines.size() + (lines.size() == 1 ? " problem" : " problems"));
    }
    return 0;
  }

  /** The bundle-level check the schema cannot make: root.path must exist (config.md). */
  private static String rootfsProblem(Path bundle, Spec spec) {
    if (spec == null || spec.root() == null || spec.root().path() == null) {
      return null; // reported by the schema/semantic checks
    }
    Path root = bundle.resolve(spec.root().path());
    if (!Files.isDirectory(root)) {
      return "config.json: /root/path: " + root + " is not a directory";
    }
    return null;
  }
}
