package io.jrunc.conformance.containerd;

import io.jrunc.conformance.Jrunc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The runtimes the containerd scenarios run against: the same ctr commands, only the runtime
 * options differ. Each has a one-letter key that ends its containers' ids.
 */
enum ShimRuntime {
  /** The reference: containerd's runc shim driving runc. */
  RUNC_SHIM_RUNC("a", "io.containerd.runc.v2", "runc"),
  /** runc's shim driving jrunc as its runc binary ({@code BinaryName}): a JVM per runtime call. */
  RUNC_SHIM_JRUNC("b", "io.containerd.runc.v2", Jrunc.LAUNCHER.toString()),
  /** jrunc's own shim, {@code containerd-shim-jrunc-v2}, found on containerd's PATH. */
  JRUNC_SHIM("c", "io.containerd.jrunc.v2", null);

  static final Path SHIM_LAUNCHER = Jrunc.REPO.resolve("bin/containerd-shim-jrunc-v2");

  final String key;
  final String runtimeType;
  private final String runcBinary;

  ShimRuntime(String key, String runtimeType, String runcBinary) {
    this.key = key;
    this.runtimeType = runtimeType;
    this.runcBinary = runcBinary;
  }

  /** Why this runtime cannot run here, or null. */
  String unavailable() {
    return switch (this) {
      case RUNC_SHIM_RUNC -> onPath("runc") ? null : "runc is not installed (Debian package runc)";
      case RUNC_SHIM_JRUNC -> Files.exists(Jrunc.REPO.resolve("runtime-cli/target/jrunc.jar")) ? null
          : "runtime-cli/target/jrunc.jar is not built (scripts/mvn -pl runtime-cli -am package)";
      case JRUNC_SHIM -> {
        if (!Files.isExecutable(SHIM_LAUNCHER)) yield "no jrunc shim in this tree: " + SHIM_LAUNCHER + " is missing";
        if (!shimJarBuilt()) yield "the jrunc shim is not built: no jar in runtime-shim/target";
        yield null;
      }
    };
  }

  /** The ctr options that select this runtime: for {@code ctr run} (not {@code ctr task exec}). */
  List<String> runOptions(PrivateContainerd ctrd) {
    List<String> o = new ArrayList<>(List.of("--runtime", runtimeType, "--fifo-dir", ctrd.fifoDir().toString()));
    if (runcBinary != null) {
      o.addAll(List.of("--runc-binary", runcBinary, "--runc-root", ctrd.runcRoot().toString()));
    }
    return o;
  }

  /**
   * Where the runtime keeps its state for the test's namespace: the runc binary's --root
   * (runc's shim passes ROOT/NAMESPACE), or jrunc's shim's JRUNC_SHIM_ROOT/NAMESPACE.
   */
  Path runtimeRoot(PrivateContainerd ctrd) {
    Path root = runcBinary == null ? ctrd.jruncShimRoot() : ctrd.runcRoot();
    return root.resolve(PrivateContainerd.NAMESPACE);
  }

  private static boolean onPath(String tool) {
    return Stream.of(Exec.SYSTEM_PATH.split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
  }

  private static boolean shimJarBuilt() {
    Path target = Jrunc.REPO.resolve("runtime-shim/target");
    if (!Files.isDirectory(target)) return false;
    try (Stream<Path> s = Files.list(target)) {
      return s.anyMatch(p -> p.getFileName().toString().endsWith(".jar"));
    } catch (IOException e) {
      return false;
    }
  }
}
