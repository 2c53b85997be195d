package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link Layout#of}, the switch that replaced the reflective {@code valueOf}, keeps its contract. */
class LayoutTest {
  @Test
  void ofIsValueOf() {
    for (Layout l : Layout.values()) assertThat(Layout.of(l.name())).isSameAs(Layout.valueOf(l.name()));
    for (String bad : new String[] {"v1", "", "V3", " V2"}) {
      IllegalArgumentException expected = null;
      try {
        Layout.valueOf(bad);
      } catch (IllegalArgumentException e) {
        expected = e;
      }
      assertThat(expected).isNotNull();
      assertThatThrownBy(() -> Layout.of(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage(expected.getMessage());
    }
    assertThatThrownBy(() -> Layout.of(null)).isInstanceOf(NullPointerException.class);
  }
}
