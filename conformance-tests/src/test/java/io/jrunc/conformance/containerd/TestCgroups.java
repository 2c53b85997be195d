package io.jrunc.conformance.containerd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The cgroups the containerd tests' containers get: a parent of the test's own (an absolute
 * cgroupfs path such as {@code /shimtest-PID}) in every hierarchy the host has mounted, killed
 * and removed at the end. Nothing here creates a cgroup; only the runtimes do.
 */
final class TestCgroups {
  private TestCgroups() {}

  /** The directories of cgroup {@code path} in every mounted hierarchy (v1 and v2). */
  static List<Path> dirs(String path) throws IOException {
    Path root = Path.of("/sys/fs/cgroup");
    List<Path> out = new ArrayList<>();
    if (Files.exists(root.resolve("cgroup.controllers"))) {
      out.add(root.resolve(path.substring(1)));
      return out;
    }
    try (Stream<Path> s = Files.list(root)) {
      for (Path h : s.filter(p -> Files.isDirectory(p) && !Files.isSymbolicLink(p)).toList()) out.add(h.resolve(path.substring(1)));
    }
    return out;
  }

  /** SIGKILLs every process in cgroup {@code path} and below (only the tests' own containers are there). */
  static void killTree(String path) throws IOException {
    for (Path top : dirs(path)) {
      if (!Files.isDirectory(top)) continue;
      List<Path> procs;
      try (Stream<Path> s = Files.walk(top)) {
        procs = s.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList();
      }
      for (Path p : procs) {
        for (String pid : Files.readAllLines(p)) ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  /** Removes cgroup {@code path} and everything below it; returns the cgroups that were below it. */
  static List<Path> removeTree(String path) throws IOException {
    List<Path> below = new ArrayList<>();
    for (Path top : dirs(path)) {
      if (!Files.isDirectory(top)) continue;
      List<Path> dirs;
      try (Stream<Path> s = Files.walk(top)) {
        dirs = s.filter(Files::isDirectory).sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
      }
      for (Path d : dirs) {
        if (!d.equals(top)) below.add(d);
        try {
          Files.delete(d);
        } catch (IOException busy) {
          // still in use: reported through the returned list
        }
      }
    }
    return below;
  }

}
