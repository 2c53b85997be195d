package io.jrunc.cli;

/** What {@code jrunc --version} prints; the first three lines have runc's shape (go-runc parses them). */
public final class Version {
  private Version() {}

  /** jrunc's version. */
  public static final String VERSION = "0.1.0";

  /** The newest runtime-spec version jrunc implements. */
  public static final String SPEC_VERSION = "1.3.0";

  /**
   * The git commit the jar was built from ({@code -dirty} if the tree had changes), or {@code
   * unknown} outside git: a constant the build writes (runtime-cli/pom.xml, {@code BuildInfo}),
   * not the jar manifest's Implementation-Version, which on the boot class path bin/jrunc uses
   * only a read of the jar in Java gives (~1 ms of every {@code --version}).
   */
  public static String commit() {
    return BuildInfo.COMMIT;
  }

  /** The full text, ending with a newline. */
  public static String text() {
    // the java.runtime.version property is Runtime.version() as text, without the streams,
    // collectors and reflection Runtime.Version.toString() runs: only without the property is
    // that called (a default argument of getProperty would be computed on every call)
    String java = System.getProperty("java.runtime.version");
    if (java == null) java = String.valueOf(Runtime.version());
    return "jrunc version " + VERSION + "\n"
        + "commit: " + commit() + "\n"
        + "spec: " + SPEC_VERSION + "\n"
        + "java: " + java + "\n";
  }
}
