package io.jrunc.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The descriptors this process was started with, so that {@code --preserve-fds} and
 * {@code LISTEN_FDS} pass the container only what the caller passed to jrunc.
 *
 * <p>The container's process keeps fds 3..3+n-1 at whatever they are when it is spawned. A
 * number the caller left closed is not a hole by then: the kernel gives the lowest free number
 * to each new file, so the JVM's own (the JDK's lib/modules, the jar) and jrunc's (the state
 * lock, the exec fifo, the memfd of the spawn stub, a cgroup directory, the sync pipes) fill it,
 * and the container would get them. runc refuses a preserved fd that is not open ("unable to
 * stat preserved-fd"); so does jrunc, judged on what was open when {@link #snapshot} ran (first
 * thing in {@link Main}, before jrunc opens anything), with the JVM's own boot files not counted
 * as passed.
 */
public final class InheritedFds {
  private InheritedFds() {}

  /** fd -> what /proc/self/fd/N names, as taken by {@link #snapshot}; null when not taken. */
  private static volatile Map<Integer, String> atStart;

  /** Records the open fds; to be called before anything of jrunc opens a file. */
  static void snapshot() {
    atStart = openNow();
  }

  /** Whether the command line may pass fds on (create, run, exec with --preserve-fds, or LISTEN_FDS set). */
  static boolean wanted(List<String> args) {
    if (System.getenv("LISTEN_FDS") != null) return true;
    for (String a : args) {
      if (a.contains("preserve-fds")) return true;
    }
    return false;
  }

  /**
   * The open fds of this process and their targets. The listing's own descriptors (the JDK opens
   * the directory and a dup of it) are closed again before the targets are read by readlink(2),
   * which opens nothing: they are gone then and left out.
   */
  static Map<Integer, String> openNow() {
    // a local, not a static field: wanted() runs on every create, run and exec before the link
    // thread starts, and a Path there would set up the JDK's file system first (~0.6 ms)
    Path fdDir = Path.of("/proc/self/fd");
    List<Integer> listed = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(fdDir)) {
      for (Path p : dir) {
        try {
          listed.add(Integer.parseInt(p.getFileName().toString()));
        } catch (NumberFormatException e) {
          // not an fd
        }
      }
    } catch (IOException e) {
      return null;
    }
    Map<Integer, String> open = new TreeMap<>();
    for (int fd : listed) {
      try {
        open.put(fd, Files.readSymbolicLink(fdDir.resolve(Integer.toString(fd))).toString());
      } catch (IOException closed) {
        // the listing's own, or closed meanwhile
      }
    }
    return open;
  }

  /**
   * Fails unless fds 3..3+listen+preserve-1 were all open at start and none is a file the JVM
   * opened for itself.
   *
   * @param listen socket-activation fds ({@code LISTEN_FDS}), passed first
   * @param preserve {@code --preserve-fds}
   */
  public static void requirePassed(int listen, int preserve) throws CliException {
    if (listen + preserve <= 0) return;
    // only the snapshot can tell: a listing now would count jrunc's own files as passed. None is
    // taken when /proc could not be listed at start (the spawn still needs each fd open)
    Map<Integer, String> open = atStart;
    if (open == null) return;
    String problem = problem(open, jvmFiles(), listen, preserve);
    if (problem != null) throw new CliException(problem);
  }

  /** The first fd of the range that was not passed, in words; null when all were. */
  static String problem(Map<Integer, String> open, Set<String> jvmFiles, int listen, int preserve) {
    for (int i = 0; i < listen + preserve; i++) {
      int fd = 3 + i;
      String what = i < listen
          ? "LISTEN_FDS=" + listen + ": fd " + fd
          // runc's name for the n-th preserved fd, counted from 0 ("preserved-fd 0")
          : "--preserve-fds " + preserve + ": preserved-fd " + (i - listen) + " (fd " + fd + ")";
      String target = open.get(fd);
      if (target == null) {
        return what + " is not open: it was not passed to jrunc";
      }
      if (jvmFiles.contains(target)) {
        return what + " was not passed to jrunc: it is the JVM's own " + target;
      }
    }
    return null;
  }

  /** What the JVM has open from before main: the JDK's module image and the class path. */
  static Set<String> jvmFiles() {
    Set<String> files = new LinkedHashSet<>();
    String home = System.getProperty("java.home");
    if (home != null) add(files, Path.of(home, "lib", "modules"));
    String cp = System.getProperty("java.class.path", "");
    for (String e : cp.split(File.pathSeparator)) {
      if (!e.isEmpty()) add(files, Path.of(e));
    }
    return files;
  }

  private static void add(Set<String> files, Path p) {
    files.add(p.toAbsolutePath().normalize().toString());
    try {
      files.add(p.toRealPath().toString());
    } catch (IOException | SecurityException e) {
      // not there: nothing of it can be open
    }
  }
}
