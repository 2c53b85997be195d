package io.jrunc.cli.args;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {
  @Test
  void parsesGoSyntax() {
    assertThat(GoDuration.parse("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(GoDuration.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(GoDuration.parse("1h2m3s")).isEqualTo(Duration.ofSeconds(3723));
    assertThat(GoDuration.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(GoDuration.parse("10us")).isEqualTo(Duration.ofNanos(10_000));
    assertThat(GoDuration.parse("0")).isEqualTo(Duration.ZERO);
    assertThat(GoDuration.parse("-2m")).isEqualTo(Duration.ofMinutes(-2));
  }

  @Test
  void rejectsWhatGoRejects() {
    for (String bad : new String[] {"", "5", "s", "1x", "1..2s", "-"}) {
      assertThatThrownBy(() -> GoDuration.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("time: invalid duration \"" + bad + "\"");
    }
  }
}
