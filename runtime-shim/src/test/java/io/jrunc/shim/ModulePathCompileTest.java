package io.jrunc.shim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shim and the CLI compile against runtime-core as a module: with {@code io.jrunc.core}
 * on the module path (the classes of this reactor, with their module-info) only its exported
 * packages are visible, so a reference to an internal one ({@code io.jrunc.core.sys.Libc},
 * {@code io.jrunc.core.terminal.TerminalRelay}) fails to compile here with "package ... is not
 * visible", as it would for an embedder. runtime-core's PackageDependenciesTest reads the same
 * rule from the sources; this is javac's own verdict.
 */
class ModulePathCompileTest {
  static final Path MODULE = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
  static final Path TOP = MODULE.resolve("..").normalize();

  /** runtime-core and what its module descriptor (and the spec module's) requires. */
  static final List<String> LIBRARY = List.of("runtime-core", "runtime-oci-spec", "jackson-databind", "jackson-core",
      "jackson-annotations", "json-schema-validator", "itu-", "slf4j-api");

  @TempDir Path tmp;

  @Test
  void theShimSeesOnlyTheExportedPackages() throws IOException {
    Path generated = MODULE.resolve("target/generated-sources/protobuf");
    assertThat(generated).as("protoc's output (generate-sources ran)").isDirectory();
    assertCompiles(List.of(MODULE.resolve("src/main/java"), generated));
  }

  @Test
  void theCliSeesOnlyTheExportedPackages() throws IOException {
    // and BuildInfo.java, which runtime-cli's build writes
    Path generated = TOP.resolve("runtime-cli/target/generated-sources/build-info");
    assertThat(generated).as("runtime-cli's generated sources (its build ran)").isDirectory();
    assertCompiles(List.of(TOP.resolve("runtime-cli/src/main/java"), generated));
  }

  private void assertCompiles(List<Path> sourceRoots) throws IOException {
    List<String> modulePath = new ArrayList<>();
    List<String> classPath = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(e);
      String name = p.getFileName().toString();
      // a module built in this reactor is its target/classes directory (or its jar)
      String module = name.equals("classes") && p.getParent() != null && p.getParent().getParent() != null
          ? p.getParent().getParent().getFileName().toString() : name;
      if (module.equals("runtime-shim")) continue; // what is compiled here
      (LIBRARY.stream().anyMatch(module::startsWith) ? modulePath : classPath).add(e);
    }
    assertThat(modulePath).as("library entries on the test class path").hasSizeGreaterThanOrEqualTo(LIBRARY.size());
    List<String> javac = new ArrayList<>(List.of("-d", tmp.resolve("classes").toString(), "-proc:none",
        "--module-path", String.join(File.pathSeparator, modulePath), "--add-modules", "io.jrunc.core",
        "-cp", String.join(File.pathSeparator, classPath)));
    for (Path root : sourceRoots) {
      try (Stream<Path> s = Files.walk(root)) {
        s.filter(p -> p.toString().endsWith(".java") && !p.endsWith("module-info.java")).forEach(p -> javac.add(p.toString()));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int rc = ToolProvider.getSystemJavaCompiler().run(null, out, out, javac.toArray(String[]::new));
    String errors = Arrays.stream(out.toString().split("\n")).filter(l -> l.contains("error:")).limit(20)
        .reduce("", (a, b) -> a + b + "\n");
    assertThat(rc).as("javac with io.jrunc.core on the module path:%n%s", errors.isEmpty() ? out : errors).isZero();
  }
}
