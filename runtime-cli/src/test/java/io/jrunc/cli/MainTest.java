package io.jrunc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jrunc.cli.log.JruncLogging;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end, in-process: exit status, stdout, stderr and the log file. */
class MainTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;

  @BeforeEach
  void capture() {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(oldOut);
    System.setErr(oldErr);
    JruncLogging.reset();
  }

  private int run(String... args) {
    out.reset();
    err.reset();
    return Main.execute(List.of(args));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void versionHasRuncShape() {
    assertThat(run("--version")).isZero();
    String[] lines = out().split("\n");
    assertThat(lines).hasSize(4);
    assertThat(lines[0]).isEqualTo("jrunc version 0.1.0");
    assertThat(lines[1]).matches("commit: ([0-9a-f]{40}(-dirty)?|unknown)");
    assertThat(lines[2]).isEqualTo("spec: 1.3.0");
    assertThat(lines[3]).isEqualTo("java: " + Runtime.version());
    assertThat(run("-v")).isZero();
    assertThat(out()).startsWith("jrunc version 0.1.0\n");
    assertThat(err()).isEmpty();
  }

  @Test
  void helpListsEveryCommandAndExitsZero() {
    assertThat(run("--help")).isZero();
    assertThat(out()).contains("USAGE:", "GLOBAL OPTIONS:", "--log-format value", "--root value");
    for (String c : io.jrunc.cli.command.Commands.NAMES) {
      assertThat(out()).contains("   " + c);
    }
    assertThat(run()).isZero();
    assertThat(run("help", "create")).isZero();
    assertThat(out()).contains("jrunc create - create a container", "--bundle value, -b value");
    assertThat(run("create", "--help")).isZero();
    assertThat(run("help", "nope")).isEqualTo(1);
  }

  @Test
  void failureWritesOneErrorLineToStderrByDefault() {
    assertThat(run("--root", dir.resolve("root").toString(), "state", "x")).isEqualTo(1);
    assertThat(out()).isEmpty();
    assertThat(err().lines().toList()).hasSize(1);
    assertThat(err()).contains("level=error msg=\"container does not exist\"");
  }

  @Test
  void failureWithLogFileWritesOneJsonObjectThereAndThePlainMessageOnStderr() throws Exception {
    Path log = dir.resolve("log.json");
    int rc = run("--root", dir.resolve("root").toString(), "--log", log.toString(), "--log-format", "json", "state", "x");
    assertThat(rc).isEqualTo(1);
    JsonNode n = new ObjectMapper().readTree(Files.readString(log));
    assertThat(n.get("level").asText()).isEqualTo("error");
    assertThat(n.get("msg").asText()).isEqualTo("container does not exist");
    assertThat(Files.readAllLines(log)).hasSize(1);
    assertThat(err()).isEqualTo("container does not exist\n");
  }

  /** A class whose initialisation fails as the Cleaner's does when no thread can be had. */
  static final class NoThreadAtInit {
    static final int X;

    static {
      if (Boolean.parseBoolean("true")) throw new OutOfMemoryError("unable to create native thread: limits reached");
      X = 1;
    }
  }

  @Test
  void anOutOfMemoryErrorInAClassInitialisationIsOutOfResourcesOnEveryLaterUse() {
    Throwable first = null, later = null;
    try {
      int unused = NoThreadAtInit.X;
    } catch (Throwable t) {
      first = t;
    }
    try {
      int unused = NoThreadAtInit.X;
    } catch (Throwable t) {
      later = t;
    }
    assertThat(first).isInstanceOf(OutOfMemoryError.class);
    assertThat(later).isInstanceOf(NoClassDefFoundError.class);
    assertThat(Main.outOfResources(first)).isEqualTo("unable to create native thread: limits reached");
    assertThat(Main.outOfResources(later)).isEqualTo("unable to create native thread: limits reached");
    assertThat(Main.outOfResources(new NoClassDefFoundError("Could not initialize class x.Y"))).isNull();
    assertThat(Main.outOfResources(new IllegalStateException("bug", new RuntimeException()))).isNull();
  }

  @Test
  void usageErrorsExitOne() {
    assertThat(run("state")).isEqualTo(1);
    assertThat(err()).contains("jrunc: \\\"state\\\" requires exactly 1 argument(s)");
    assertThat(run("kill", "-x", "id")).isEqualTo(1);
    assertThat(err()).contains("flag provided but not defined: -x");
    assertThat(run("--bogus", "state", "id")).isEqualTo(1);
    assertThat(run("frobnicate")).isEqualTo(1);
    assertThat(err()).contains("No help topic for 'frobnicate'");
    assertThat(run("--log-format", "yaml", "state", "x")).isEqualTo(1);
  }

  @Test
  void unopenableLogFileIsReportedOnStderr() {
    Path log = dir.resolve("missing-dir/log.json");
    assertThat(run("--log", log.toString(), "state", "x")).isEqualTo(1);
    assertThat(err()).contains("open log file " + log + ": no such file or directory (ENOENT)");
  }

  @Test
  void checkpointAndRestoreAreHonestlyUnsupported() {
    // podman: `checkpoint --help` exit 0 means "supported"
    assertThat(run("checkpoint", "--help")).isEqualTo(1);
    assertThat(out()).contains("jrunc checkpoint");
    assertThat(err()).contains("checkpoint is not supported");
    assertThat(run("checkpoint", "--leave-running", "--leave-running", "id")).isEqualTo(1);
    assertThat(err()).contains("checkpoint is not supported");
    assertThat(run("restore", "-h")).isEqualTo(1);
    assertThat(run("help", "checkpoint")).isEqualTo(1);
  }

  @Test
  void featuresIsTheSpecDocumentIndentedByFourSpaces() throws Exception {
    assertThat(run("features")).isZero();
    String json = out();
    assertThat(json).startsWith("{\n    \"ociVersionMin\": \"1.0.0\",\n    \"ociVersionMax\": \"1.3.0\",");
    JsonNode n = new ObjectMapper().readTree(json);
    assertThat(n.get("hooks")).hasSize(6);
    assertThat(n.get("mountOptions").toString()).contains("\"rbind\"", "\"rro\"");
    assertThat(n.get("linux").get("namespaces")).hasSize(8);
    assertThat(n.get("linux").get("capabilities").get(40).asText()).isEqualTo("CAP_CHECKPOINT_RESTORE");
    assertThat(n.get("mountOptions").toString()).contains("\"tmpcopyup\"", "\"idmap\"", "\"ridmap\"");
    JsonNode linux = n.get("linux");
    assertThat(linux.get("seccomp").get("enabled").asBoolean()).isTrue();
    assertThat(linux.get("seccomp").get("actions").toString()).contains("SCMP_ACT_NOTIFY");
    assertThat(linux.get("cgroup").get("v2").asBoolean()).isTrue();
    assertThat(linux.get("cgroup").get("systemdUser").asBoolean()).isFalse();
    assertThat(linux.get("mountExtensions").get("idmap").get("enabled").asBoolean()).isTrue();
    // what create refuses is reported as not enabled
    assertThat(linux.get("intelRdt").get("enabled").asBoolean()).isFalse();
    assertThat(linux.get("netDevices").get("enabled").asBoolean()).isTrue();
    assertThat(n.has("annotations")).isFalse();
    assertThat(run("features", "extra")).isEqualTo(1);
  }

  @Test
  void debugLogsTheCommandAndTheStackTrace() {
    assertThat(run("--debug", "state", "x")).isEqualTo(1);
    assertThat(err()).contains("level=debug", "level=error", "at io.jrunc.cli.command.StateCommand");
  }

  @Test
  void specWritesRuncsTemplateOnceWithTabs() throws Exception {
    assertThat(run("spec", "--bundle", dir.toString())).isZero();
    Path config = dir.resolve("config.json");
    String text = Files.readString(config);
    assertThat(text).startsWith("{\n\t\"ociVersion\": \"1.3.0\",\n");
    io.jrunc.spec.Spec spec = io.jrunc.spec.Json.read(Files.readAllBytes(config), io.jrunc.spec.Spec.class);
    assertThat(spec.process().args()).containsExactly("sh");
    assertThat(spec.root().path()).isEqualTo("rootfs");
    // never overwritten (runc's wording)
    Files.writeString(config, "mine");
    assertThat(run("spec", "-b", dir.toString())).isEqualTo(1);
    assertThat(err()).contains("File config.json exists. Remove it first");
    assertThat(Files.readString(config)).isEqualTo("mine");
    assertThat(run("spec", "-b", dir.resolve("nope").toString())).isEqualTo(1);
    assertThat(err()).contains("no such file or directory");
  }

  @Test
  void specRootlessAddsAUserNamespace() throws Exception {
    assertThat(run("spec", "--rootless", "-b", dir.toString())).isZero();
    io.jrunc.spec.Spec spec = io.jrunc.spec.Json.read(Files.readAllBytes(dir.resolve("config.json")), io.jrunc.spec.Spec.class);
    assertThat(spec.linux().namespaces()).anyMatch(ns -> ns.type().equals("user"));
    assertThat(spec.linux().uidMappings()).isNotEmpty();
  }

  @Test
  void validateReportsEveryProblemAndExitsOneWhenInvalid() throws Exception {
    assertThat(run("validate", "-b", dir.toString())).isEqualTo(1);
    assertThat(err()).contains("config.json: no such file or directory (ENOENT)");

    assertThat(run("spec", "-b", dir.toString())).isZero();
    assertThat(run("validate", "-b", dir.toString())).isEqualTo(1);
    assertThat(out()).contains("/root/path:", "is not a directory");
    Files.createDirectory(dir.resolve("rootfs"));
    assertThat(run("validate", "--bundle", dir.toString())).isZero();
    assertThat(out()).contains("valid");
    assertThat(err()).isEmpty();

    Files.writeString(dir.resolve("config.json"), "{\"ociVersion\": 5}");
    assertThat(run("validate", "--bundle", dir.toString())).isEqualTo(1);
    assertThat(out()).contains("config.json: /ociVersion:");
    assertThat(err().lines().toList()).hasSize(1);
    assertThat(err()).contains("is not valid");
  }
}
