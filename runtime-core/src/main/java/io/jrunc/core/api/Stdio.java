package io.jrunc.core.api;

import java.nio.file.Path;

/**
 * The container process's standard streams. Each is inherited from the runtime's own process
 * (what engines want: the shim or conmon passes its pipes), a file, or a pipe whose other end
 * the caller reads or writes through {@link Container}.
 */
public record Stdio(Stream in, Stream out, Stream err) {

  public sealed interface Stream permits Inherit, ToFile, Pipe {}

  public record Inherit() implements Stream {}

  /** A file: read from for stdin, appended to (created if missing) for output. */
  public record ToFile(Path path) implements Stream {}

  /** A pipe; the caller's end is {@link Container#stdin()}, {@link Container#stdout()} or {@link Container#stderr()}. */
  public record Pipe() implements Stream {}

  public static Stdio inherit() {
    return new Stdio(new Inherit(), new Inherit(), new Inherit());
  }

  /** stdin from /dev/null, stdout and stderr to pipes the caller reads. */
  public static Stdio pipes() {
    return new Stdio(new ToFile(Path.of("/dev/null")), new Pipe(), new Pipe());
  }
}
