package io.jrunc.conformance;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test (junit-platform.properties): after each test, no cgroup of a
 * bundle the test made may remain, on any hierarchy. A leftover fails the test and is removed,
 * so the suite never leaves cgroups behind on the machine.
 */
public final class CgroupLeakCheck implements AfterEachCallback {
  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    List<String> paths = Bundle.takeCgroupPaths();
    List<Path> left = new ArrayList<>();
    for (String cg : paths) {
      for (Path hierarchy : hierarchies()) {
        Path dir = hierarchy.resolve(cg.substring(1));
        if (Files.isDirectory(dir)) left.add(dir);
      }
    }
    // give a container killed at the very end of the test a moment to leave its cgroup
    for (int i = 0; i < 50 && left.stream().anyMatch(Files::isDirectory); i++) Thread.sleep(20);
    List<Path> still = new ArrayList<>();
    for (Path d : left) {
      if (Files.isDirectory(d)) {
        still.add(d);
        try {
          Files.delete(d);
        } catch (IOException e) {
          // busy: it keeps failing the test, which says where
        }
      }
    }
    for (Path h : hierarchies()) {
      try {
        Files.deleteIfExists(h.resolve("jrunc-test")); // only when empty
      } catch (IOException ignored) {
        // another test's container still uses it
      }
    }
    if (!still.isEmpty() && context.getExecutionException().isEmpty()) {
      throw new AssertionError("cgroups left behind by " + context.getDisplayName() + ": " + still);
    }
  }

  private static List<Path> hierarchies() throws IOException {
    List<Path> out = new ArrayList<>();
    Path root = Path.of("/sys/fs/cgroup");
    if (Files.exists(root.resolve("cgroup.controllers"))) {
      out.add(root);
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
      for (Path p : ds) if (Files.isDirectory(p) && !Files.isSymbolicLink(p)) out.add(p);
    }
    return out;
  }
}
