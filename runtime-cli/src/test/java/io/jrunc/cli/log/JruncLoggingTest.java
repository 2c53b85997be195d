package io.jrunc.cli.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

class JruncLoggingTest {
  @TempDir Path dir;

  @AfterEach
  void reset() {
    JruncLogging.reset();
  }

  @Test
  void slf4jIsBoundToOurProvider() {
    assertThat(LoggerFactory.getLogger("x").getClass().getName())
        .isEqualTo("io.jrunc.cli.log.JruncLogger");
  }

  @Test
  void defaultLevelWritesOnlyTheErrorLine() throws Exception {
    Path log = dir.resolve("log.json");
    JruncLogging.configure(Level.ERROR, LogFormat.JSON, log);
    Logger l = LoggerFactory.getLogger(JruncLoggingTest.class);
    l.debug("d");
    l.info("i");
    l.warn("w {}", 1);
    l.error("failed: {}", "container does not exist");
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).hasSize(1);
    // podman reads the whole file as one JSON object
    var n = new ObjectMapper().readTree(Files.readString(log));
    assertThat(n.get("msg").asText()).isEqualTo("failed: container does not exist");
    assertThat(n.get("level").asText()).isEqualTo("error");
    assertThat(JruncLogging.writesToStderr()).isFalse();
  }

  @Test
  void debugLevelWritesEverythingAndAppends() throws Exception {
    Path log = dir.resolve("log.txt");
    Files.writeString(log, "earlier line\n");
    JruncLogging.configure(Level.DEBUG, LogFormat.TEXT, log);
    Logger l = LoggerFactory.getLogger("t");
    l.trace("not shown");
    l.debug("d");
    l.atInfo().addKeyValue("id", "c1").log("with field");
    l.error("e", new RuntimeException("x"));
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).isEqualTo("earlier line");
    assertThat(lines.get(1)).contains("level=debug msg=d");
    assertThat(lines.get(2)).contains("level=info msg=\"with field\" id=c1");
    assertThat(lines.get(3)).contains("level=error msg=e error=\"java.lang.RuntimeException: x\"");
  }
}
