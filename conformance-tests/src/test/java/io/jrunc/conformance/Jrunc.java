package io.jrunc.conformance;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real launcher, {@code bin/jrunc}, as engines do: a fresh process per command. */
public final class Jrunc {
  public static final Path REPO = findRepo();
  public static final Path LAUNCHER = REPO.resolve("bin/jrunc");

  private final Path root;
  private final List<String> prefix;

  public Jrunc(Path root) {
    this(root, List.of());
  }

  private Jrunc(Path root, List<String> prefix) {
    this.root = root;
    this.prefix = prefix;
  }

  /** The same runtime run inside the network namespace {@code netns} ({@code nsenter --net}). */
  public Jrunc inNetns(Path netns) {
    return new Jrunc(root, List.of("nsenter", "--net=" + netns, "--"));
  }

  /**
   * The same runtime on a pure cgroup v1 view of this hybrid host: each call in a private mount
   * namespace of its own without /sys/fs/cgroup/unified (the host's mounts are untouched), as
   * scripts/bench.sh runs all three runtimes. Only on a host where {@link #HYBRID} holds.
   */
  public Jrunc inPureV1() {
    return new Jrunc(root, List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
        "umount /sys/fs/cgroup/unified && exec \"$0\" \"$@\""));
  }

  /**
   * The same runtime started with {@code signals} ignored (a shell's {@code trap ''} before the
   * exec, as nohup or an engine may leave them): dispositions a child inherits through exec.
   */
  public Jrunc ignoring(String... signals) {
    List<String> p = new ArrayList<>(prefix);
    p.addAll(List.of("sh", "-c", "trap '' " + String.join(" ", signals) + " && exec \"$0\" \"$@\""));
    return new Jrunc(root, p);
  }

  /** True on the hybrid layout: cgroup v1 controllers with a cgroup2 mount at /sys/fs/cgroup/unified. */
  public static final boolean HYBRID = hybrid();

  private static boolean hybrid() {
    try {
      return Files.readString(Path.of("/proc/self/mountinfo")).contains(" /sys/fs/cgroup/unified ");
    } catch (IOException e) {
      return false;
    }
  }

  public Path root() {
    return root;
  }

  public record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\nstdout: " + out + "\nstderr: " + err;
    }
  }

  /** Runs {@code jrunc --root ROOT args...} with a minimal environment (as podman does). */
  public Result run(String... args) throws IOException, InterruptedException {
    return runWith(Map.of(), args);
  }

  public Result runWith(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(LAUNCHER.toString());
    cmd.add("--root");
    cmd.add(root.toString());
    cmd.addAll(Arrays.asList(args));
    return start(cmd, env, String.join(" ", args));
  }

  /**
   * {@code jrunc --root ROOT} followed by {@code rest}, the rest of a bash command line: for what
   * only a shell makes, such as a process substitution's {@code <(...)}.
   */
  public Result runInBash(String rest) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(List.of("bash", "-c", "\"$0\" --root \"$1\" " + rest, LAUNCHER.toString(), root.toString()));
    return start(cmd, Map.of(), rest);
  }

  /**
   * {@code bash -c SCRIPT LAUNCHER ROOT}: a script that starts the launcher itself (as {@code
   * "$0" --root "$1" ...}), after what must come first in the same process (joining a cgroup,
   * say).
   */
  public Result runInBashRaw(String script) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(List.of("bash", "-c", script, LAUNCHER.toString(), root.toString()));
    return start(cmd, Map.of(), script);
  }

  private Result start(List<String> cmd, Map<String, String> env, String what) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    pb.environment().putAll(env);
    File out = File.createTempFile("jrunc-out", ".txt");
    File err = File.createTempFile("jrunc-err", ".txt");
    pb.redirectOutput(out).redirectError(err).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("jrunc " + what + " did not finish in 120 s");
    }
    Result r = new Result(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
    out.delete();
    err.delete();
    return r;
  }

  private static Path findRepo() {
    Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("bin/jrunc"))) p = p.getParent();
    if (p == null) throw new IllegalStateException("cannot find the repository (bin/jrunc) above " + System.getProperty("user.dir"));
    return p;
  }
}
