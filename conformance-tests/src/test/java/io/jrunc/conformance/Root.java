package io.jrunc.conformance;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Gate for tests that run containers as root: a non-root build skips them with the reason. */
final class Root {
  private Root() {}

  static void assumeRoot(String why) throws IOException {
    assumeTrue(Files.readString(Path.of("/proc/self/status")).lines()
        .anyMatch(l -> l.matches("Uid:\\s+\\d+\\s+0\\s.*")), "needs root: " + why);
  }
}
