package io.jrunc.conformance.containerd;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs host commands (containerd, ctr, script, tar) with their output in temporary files, so
 * a chatty command never blocks on a full pipe, and with a deadline, so a hung command fails
 * the test that ran it instead of the build.
 */
final class Exec {
  /** The PATH every command gets (containerd adds the repository's {@code bin/} in front). */
  static final String SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private Exec() {}

  record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\nstdout: " + out + "\nstderr: " + err;
    }
  }

  /** Runs {@code cmd} with stdin from {@code stdin} (or /dev/null) and waits at most {@code seconds}. */
  static Result run(List<String> cmd, Path stdin, int seconds) throws IOException, InterruptedException {
    Started s = start(cmd, Map.of(), stdin);
    return s.await(seconds);
  }

  /** Starts {@code cmd}; with {@code stdin} null its stdin is a pipe the caller writes to. */
  static Started start(List<String> cmd, Map<String, String> env, Path stdin) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    pb.environment().put("PATH", SYSTEM_PATH);
    pb.environment().putAll(env);
    File out = File.createTempFile("shimtest-out", ".txt");
    File err = File.createTempFile("shimtest-err", ".txt");
    pb.redirectOutput(out).redirectError(err);
    if (stdin != null) pb.redirectInput(stdin.toFile());
    return new Started(cmd, pb.start(), out.toPath(), err.toPath());
  }

  /** A started command: its process, and its output once it has ended. */
  record Started(List<String> cmd, Process process, Path out, Path err) {
    Result await(int seconds) throws IOException, InterruptedException {
      try {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
          throw new IOException(String.join(" ", cmd) + " did not finish in " + seconds + " s; output so far:\n"
              + Files.readString(out) + "\nstderr: " + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
      } finally {
        if (!process.isAlive()) {
          Files.deleteIfExists(out);
          Files.deleteIfExists(err);
        }
      }
    }
  }
}
