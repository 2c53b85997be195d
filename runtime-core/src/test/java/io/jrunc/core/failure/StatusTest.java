package io.jrunc.core.failure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class StatusTest {
  /** state prints these; under a Turkish default locale name().toLowerCase() gave "creatıng". */
  @Test
  void statusTextIsTheLowerCaseNameInAnyLocale() {
    Locale before = Locale.getDefault();
    try {
      Locale.setDefault(Locale.forLanguageTag("tr-TR"));
      for (Status s : Status.values()) assertThat(s.text()).isEqualTo(s.name().toLowerCase(Locale.ROOT));
    } finally {
      Locale.setDefault(before);
    }
  }
}
