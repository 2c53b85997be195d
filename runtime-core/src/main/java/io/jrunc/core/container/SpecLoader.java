package io.jrunc.core.container;

import io.jrunc.core.failure.InvalidConfigFailure;
import io.jrunc.core.log.Logs;
import io.jrunc.core.sys.BoundedFile;
import io.jrunc.spec.Spec;
import io.jrunc.spec.validate.Problem;
import io.jrunc.spec.validate.ValidationOptions;
import io.jrunc.spec.validate.ValidationReport;
import io.jrunc.spec.validate.Validator;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.slf4j.Logger;

/** config.json read within its size limit and checked, before create claims anything. */
final class SpecLoader {
  /**
   * Looked up where a line is written, not kept in a static field: create loads this class on
   * every call, and the first getLogger of a JVM bootstraps SLF4J (~0.7 ms of a cold create).
   */
  private static Logger log() {
    return Logs.get(Lifecycle.class); // same logger name as before the split
  }

  private SpecLoader() {}

  /**
   * Reads and checks config.json: the semantic checks every create needs (the JSON schema is
   * left to {@code jrunc validate}: it costs hundreds of ms in a fresh JVM). Every problem is
   * reported at once, each with its JSON path.
   */
  static Spec loadSpec(Path bundle, boolean systemdCgroup) throws InvalidConfigFailure {
    Path config = bundle.resolve("config.json");
    byte[] bytes;
    try {
      // no downcall for a plain file: parse, validate and plan run while the first link is made
      bytes = BoundedFile.readDocument(config, "config.json", BoundedFile.JSON_LIMIT);
    } catch (NoSuchFileException e) {
      throw new InvalidConfigFailure("config.json: open " + config + ": no such file or directory");
    } catch (BoundedFile.RefusedException e) {
      throw new InvalidConfigFailure(e.getMessage());
    } catch (java.nio.file.FileSystemException e) {
      // runc's words: "open PATH: permission denied" (the exception's message repeats the path)
      String why = e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
      throw new InvalidConfigFailure("config.json: open " + config + ": " + why);
    } catch (IOException e) {
      throw new InvalidConfigFailure("config.json: read " + config + ": " + e.getMessage());
    }
    ValidationReport report = Validator.validate(bytes,
        ValidationOptions.forCreate().withSystemdCgroup(systemdCgroup).withRequireProcess(true));
    // notes on a valid config (a duplicate entry, consoleSize without a terminal): for --debug,
    // not stderr, where runc prints nothing and callers compare the output
    for (Problem w : report.warnings()) log().debug(w.format(report.fileName()));
    if (!report.ok()) throw new InvalidConfigFailure(report.fileName(), report.problems());
    return report.spec();
  }
}
