package io.jrunc.spec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** JsonText.quote: runs of plain ASCII copied whole, every other character escaped as before. */
class JsonTextTest {
  private static String q(String s) {
    return JsonText.quote(new StringBuilder("x"), s).toString();
  }

  @Test
  void plainRunsAndEscapesAtEveryPosition() {
    assertThat(q("")).isEqualTo("x\"\"");
    assertThat(q("/a/b c~")).isEqualTo("x\"/a/b c~\"");
    assertThat(q("\"start")).isEqualTo("x\"\\\"start\"");
    assertThat(q("end\\")).isEqualTo("x\"end\\\\\"");
    assertThat(q("a\nb\tc\rd\be\ff")).isEqualTo("x\"a\\nb\\tc\\rd\\be\\ff\"");
    assertThat(q("<>&")).isEqualTo("x\"\\u003c\\u003e\\u0026\"");
    assertThat(q("\u0001\u001f\u007f")).isEqualTo("x\"\\u0001\\u001F\u007f\"");
  }

  @Test
  void beyondAsciiAsBefore() {
    assertThat(q("caf\u00e9 \u4e2d")).isEqualTo("x\"caf\u00e9 \u4e2d\"");
    assertThat(q("a\u2028b\u2029")).isEqualTo("x\"a\\u2028b\\u2029\"");
    // each half of a surrogate pair escaped, as Go's encoding/json reads it back
    assertThat(q("\ud83d\ude00!")).isEqualTo("x\"\\uD83D\\uDE00!\"");
  }
}
