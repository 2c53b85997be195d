package io.jrunc.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** What {@code jrunc --version} prints; the first three lines have runc's shape (go-runc parses them). */
public final class Version {
  private Version() {}

  /** jrunc's version. */
  public static final String VERSION = "0.1.0";

  /** The newest runtime-spec version jrunc implements. */
  public static final String SPEC_VERSION = "1.3.0";

  /** The git commit the jar was built from, or {@code unknown}. */
  public static String commit() {
    // build.properties holds "commit=<sha>", written by the build (runtime-cli/pom.xml).
    try (InputStream in = Version.class.getResourceAsStream("build.properties")) {
      if (in != null) {
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
          if (line.startsWith("commit=")) {
            String c = line.substring(7).trim();
            return c.isEmpty() ? "unknown" : c;
          }
        }
      }
    } catch (IOException e) {
      // fall through: a jar without the resource is still a working jar
    }
    return "unknown";
  }

  /** The full text, ending with a newline. */
  public static String text() {
    return "jrunc version " + VERSION + "\n"
        + "commit: " + commit() + "\n"
        + "spec: " + SPEC_VERSION + "\n"
        // the java.runtime.version property is Runtime.version() as text, without the stream
        // and lambda machinery Runtime.Version.toString() loads at start-up
        + "java: " + System.getProperty("java.runtime.version", String.valueOf(Runtime.version()))
        + "\n";
  }
}
