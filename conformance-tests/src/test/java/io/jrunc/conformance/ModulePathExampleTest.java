package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.testsupport.RequiresRoot;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library as an embedder on the module path uses it: examples/'s RunBusybox, a named module
 * that requires only {@code io.jrunc.core}, compiled against the built jars and run with
 * {@code --enable-native-access=io.jrunc.core}. Every other test runs on the class path, where
 * module-info is ignored; this one fails if the module descriptors miss a {@code requires} the
 * runtime needs at run time (jdk.unsupported, jackson), an export the API's signatures need, or
 * if anything reaches native code from outside the module that was granted native access.
 */
class ModulePathExampleTest {
  static final Path TOP = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).resolve("..").normalize();
  static final Path EXAMPLE_SOURCES = TOP.resolve("examples/src/main/java");

  /** What the library needs at run time: itself, the spec module, and their dependencies. */
  static final List<String> LIBRARY = List.of("runtime-core", "runtime-oci-spec", "jackson-databind", "jackson-core",
      "jackson-annotations", "json-schema-validator", "itu-", "slf4j-api");

  @TempDir Path tmp;

  @RequiresRoot("runs a container with namespaces and cgroups")
  @Test
  void exampleRunsAsANamedModule() throws Exception {
    String modulePath = libraryModulePath();
    Path classes = tmp.resolve("classes");
    List<String> javac = new ArrayList<>(List.of("-d", classes.toString(), "--module-path", modulePath));
    try (Stream<Path> s = Files.walk(EXAMPLE_SOURCES)) {
      s.filter(p -> p.toString().endsWith(".java")).forEach(p -> javac.add(p.toString()));
    }
    ByteArrayOutputStream compilerOut = new ByteArrayOutputStream();
    int compiled = ToolProvider.getSystemJavaCompiler().run(null, compilerOut, compilerOut, javac.toArray(String[]::new));
    assertThat(compiled).as("javac %s:%n%s", javac, compilerOut).isZero();

    Bundle b = Bundle.busybox(tmp.resolve("bundle")).sh("echo hello from $(hostname)");
    b.config.put("hostname", "modular");
    String id = "library-example-" + ProcessHandle.current().pid();
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=io.jrunc.core", "-p", classes + File.pathSeparator + modulePath,
        "-m", "io.jrunc.example/io.jrunc.example.RunBusybox", b.write().toString(), id, tmp.resolve("state").toString())
        .start();
    p.getOutputStream().close();
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    String out = read(p.getInputStream());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the example finished").isTrue();
    String stderr = err.join();
    assertThat(p.exitValue()).as("exit of the example; stdout:%n%s%nstderr:%n%s", out, stderr).isZero();
    assertThat(out).contains("created " + id + ", init pid ", ", status created\n")
        .contains("exec uname -n: modular, exit 0\n")
        .contains("container said: hello from modular\n")
        .contains("exit status 0, status stopped\n");
    // granted to io.jrunc.core, so no "restricted method ... called" warning: the native calls
    // come from the named module, nowhere else
    assertThat(stderr).doesNotContain("WARNING");
    assertThat(tmp.resolve("state").resolve(id)).as("deleted").doesNotExist();
  }

  /** The test class path's entries of the library and its dependencies, as a module path. */
  static String libraryModulePath() {
    List<String> entries = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> {
          Path p = Path.of(e);
          String name = p.getFileName().toString();
          // a module built in this reactor is its target/classes directory or its jar
          String module = name.equals("classes") && p.getParent() != null && p.getParent().getParent() != null
              ? p.getParent().getParent().getFileName().toString() : name;
          return LIBRARY.stream().anyMatch(module::startsWith) && !name.contains("-tests");
        })
        .toList();
    assertThat(entries).as("library entries on the test class path %s", System.getProperty("java.class.path"))
        .hasSizeGreaterThanOrEqualTo(LIBRARY.size());
    return String.join(File.pathSeparator, entries);
  }

  private static String read(java.io.InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
