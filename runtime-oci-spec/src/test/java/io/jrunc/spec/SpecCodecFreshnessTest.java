package io.jrunc.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The committed {@code SpecCodec.java} is what {@code src/build/gen_codec.py} makes of the
 * records as they are now: a record component added, renamed or re-annotated without
 * regenerating would otherwise be silently dropped by (or missing from) the codec that reads
 * and writes every config.json. SpecCodecTest checks the codec against Jackson on our sample
 * documents; this checks that it covers the records at all. The generator runs with {@code -}
 * (to stdout, the file untouched) and its output is compared in memory.
 */
class SpecCodecFreshnessTest {

  static final Path MODULE = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
  static final Path GENERATOR = MODULE.resolve("src/build/gen_codec.py");
  static final Path CODEC = MODULE.resolve("src/main/java/io/jrunc/spec/SpecCodec.java");
  static final String REGENERATE = "cd runtime-oci-spec && python3 src/build/gen_codec.py";

  @Test
  void committedCodecIsWhatTheGeneratorMakesOfTheRecords() throws Exception {
    assertThat(GENERATOR).as("the generator").exists();
    String generated = generate();
    String committed = Files.readString(CODEC);
    if (!generated.equals(committed)) {
      fail("%s is stale: the records in io/jrunc/spec changed since it was generated (%s).%n"
          + "Regenerate it and commit the result: %s", CODEC, firstDifference(committed, generated), REGENERATE);
    }
  }

  /** The generator's output; skipped with the reason when python3 is missing (failed on CI). */
  static String generate() throws IOException, InterruptedException {
    java.lang.Process p;
    try {
      p = new ProcessBuilder(List.of("python3", GENERATOR.toString(), "-")).directory(MODULE.toFile()).start();
    } catch (IOException e) {
      String reason = "python3 is needed to run " + GENERATOR + ": " + e.getMessage();
      if (Boolean.getBoolean("jrunc.test.requireRoot")) fail(reason + " (CI runs every test: install python3)");
      Assumptions.abort(reason);
      throw e;
    }
    p.getOutputStream().close();
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    byte[] out = readAll(p.getInputStream());
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("%s did not finish in 60 s", GENERATOR);
    }
    if (p.exitValue() != 0) {
      fail("%s failed with exit %d: %s", GENERATOR, p.exitValue(), new String(err.join(), StandardCharsets.UTF_8));
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  private static byte[] readAll(InputStream in) {
    try (in; ByteArrayOutputStream b = new ByteArrayOutputStream()) {
      in.transferTo(b);
      return b.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** "line N: committed `x`, generated `y`": where to look first. */
  static String firstDifference(String committed, String generated) {
    String[] a = committed.split("\n", -1);
    String[] b = generated.split("\n", -1);
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      String x = i < a.length ? a[i] : "<end of file>";
      String y = i < b.length ? b[i] : "<end of file>";
      if (!x.equals(y)) {
        return "first difference at line " + (i + 1) + ": committed `" + x.strip() + "`, generated `" + y.strip() + "`";
      }
    }
    return "they differ";
  }
}
