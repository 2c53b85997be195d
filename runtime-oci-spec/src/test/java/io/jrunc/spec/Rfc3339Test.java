package io.jrunc.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class Rfc3339Test {
  @Test
  void handMadeUtcTimestampMatchesJavaTime() {
    long[] samples = {0L, -1L, 951_782_400L /* 2000-02-29 */, 1_795_603_495L, 4_102_444_799L, 253_402_300_799L};
    DateTimeFormatter nano = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'");
    for (long sec : samples) {
      for (int n : new int[] {0, 1, 123_456_789, 999_999_999}) {
        String expected = Instant.ofEpochSecond(sec, n).atOffset(ZoneOffset.UTC).format(nano);
        assertThat(Rfc3339.utc(sec, n)).as(sec + "." + n).isEqualTo(expected);
      }
    }
  }

  @Test
  void nowParsesBackAsTheCurrentInstant() {
    Instant before = Instant.now();
    String now = Rfc3339.utcNow();
    assertThat(now).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z");
    assertThat(Instant.parse(now)).isBetween(before, Instant.now());
  }
}
