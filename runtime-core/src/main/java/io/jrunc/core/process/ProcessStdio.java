package io.jrunc.core.process;

import java.nio.file.Path;

/**
 * A process's standard streams as the launch code opens them: each inherited from the runtime's
 * own process, a file (read for stdin, appended to for output), or a pipe whose other end goes
 * back to the caller. Built by the API from its public {@code Stdio}.
 */
public record ProcessStdio(Stream in, Stream out, Stream err) {

  public sealed interface Stream permits Inherit, ToFile, Pipe {}

  public record Inherit() implements Stream {}

  public record ToFile(Path path) implements Stream {}

  public record Pipe() implements Stream {}

  public static ProcessStdio inherit() {
    return new ProcessStdio(new Inherit(), new Inherit(), new Inherit());
  }
}
