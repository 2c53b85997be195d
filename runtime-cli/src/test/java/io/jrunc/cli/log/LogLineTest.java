package io.jrunc.cli.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;

class LogLineTest {
  private static final OffsetDateTime T =
      OffsetDateTime.of(2026, 11, 25, 10, 44, 55, 123_456_789, ZoneOffset.UTC);

  @Test
  void jsonLineIsOneObjectWithLogrusKeysInOrder() throws Exception {
    String line =
        LogLine.format(LogFormat.JSON, T, Level.ERROR, "container \"a\"\ndoes not exist", null, null);
    assertThat(line).doesNotContain("\n");
    JsonNode n = new ObjectMapper().readTree(line);
    assertThat(n.get("level").asText()).isEqualTo("error");
    assertThat(n.get("msg").asText()).isEqualTo("container \"a\"\ndoes not exist");
    assertThat(n.get("time").asText()).isEqualTo("2026-11-25T10:44:55.123456789Z");
    // RFC 3339 as Go's time.Time unmarshals it
    assertThat(OffsetDateTime.parse(n.get("time").asText())).isEqualTo(T);
    Iterator<String> names = n.fieldNames();
    assertThat(List.of(names.next(), names.next(), names.next()))
        .containsExactly("level", "msg", "time");
  }

  @Test
  void jsonEscapesControlCharactersAndKeepsFields() throws Exception {
    String line =
        LogLine.format(
            LogFormat.JSON,
            T.withOffsetSameInstant(ZoneOffset.ofHours(2)),
            Level.WARN,
            "tab\there \u0001 \\",
            List.of(new KeyValuePair("id", "c1")),
            new IllegalStateException("boom"));
    JsonNode n = new ObjectMapper().readTree(line);
    assertThat(n.get("msg").asText()).isEqualTo("tab\there \u0001 \\");
    assertThat(n.get("level").asText()).isEqualTo("warning");
    assertThat(n.get("id").asText()).isEqualTo("c1");
    assertThat(n.get("error").asText()).isEqualTo("java.lang.IllegalStateException: boom");
    assertThat(n.get("time").asText()).isEqualTo("2026-11-25T12:44:55.123456789+02:00");
  }

  @Test
  void textLineLooksLikeLogrus() {
    assertThat(LogLine.format(LogFormat.TEXT, T, Level.ERROR, "container does not exist", null, null))
        .isEqualTo(
            "time=\"2026-11-25T10:44:55.123456789Z\" level=error msg=\"container does not exist\"");
    assertThat(LogLine.format(LogFormat.TEXT, T, Level.DEBUG, "plain", List.of(new KeyValuePair("id", "a b")), null))
        .endsWith("level=debug msg=plain id=\"a b\"");
    assertThat(LogLine.format(LogFormat.TEXT, T, Level.INFO, "say \"hi\"\n", null, null))
        .endsWith("msg=\"say \\\"hi\\\"\\n\"");
    assertThat(LogLine.format(LogFormat.TEXT, T, Level.INFO, "", null, null)).endsWith("msg=\"\"");
  }

  @Test
  void aLineWithoutATimeGetsNowInUtcWithNanoseconds() {
    String line = LogLine.format(LogFormat.JSON, Level.ERROR, "m", null, null);
    assertThat(line).matches("\\{\"level\":\"error\",\"msg\":\"m\",\"time\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z\"}");
  }
}
