package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.spec.LinuxDeviceCgroup;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceFilterTest {
  static LinuxDeviceCgroup rule(boolean allow, String type, Long major, Long minor, String access) {
    return new LinuxDeviceCgroup(allow, type, major, minor, access);
  }

  @Test
  void denyAllThenAllowListIsAnAllowList() throws Exception {
    List<DeviceRule> rules = DeviceRule.from(List.of(rule(false, null, null, null, "rwm"),
        rule(true, "c", 1L, 3L, "rwm"), rule(true, "c", 136L, null, "rw"), rule(true, "c", null, null, "m")));
    long[] p = DeviceFilter.compile(rules);
    assertThat(DeviceFilter.evaluate(p, 'c', 1, 3, "rw")).isTrue();
    assertThat(DeviceFilter.evaluate(p, 'c', 1, 5, "r")).isFalse();
    assertThat(DeviceFilter.evaluate(p, 'b', 1, 3, "r")).isFalse();
    assertThat(DeviceFilter.evaluate(p, 'c', 136, 7, "rw")).isTrue();
    assertThat(DeviceFilter.evaluate(p, 'c', 136, 7, "m")).isTrue(); // via c *:* m
    assertThat(DeviceFilter.evaluate(p, 'b', 8, 0, "m")).isFalse();
    assertThat(DeviceFilter.evaluate(p, 'c', 4294967295L, 3, "r")).isFalse();
  }

  @Test
  void laterDenyWinsAndIntersects() throws Exception {
    List<DeviceRule> rules = DeviceRule.from(List.of(rule(true, "c", 1L, 3L, "rwm"), rule(false, "c", 1L, 3L, "w")));
    long[] p = DeviceFilter.compile(rules);
    assertThat(DeviceFilter.evaluate(p, 'c', 1, 3, "r")).isTrue();
    assertThat(DeviceFilter.evaluate(p, 'c', 1, 3, "rw")).isFalse();
  }

  @Test
  void allowAllIsADenyList() throws Exception {
    List<DeviceRule> rules = DeviceRule.from(List.of(rule(true, "a", null, null, "rwm"), rule(false, "b", 8L, null, "rwm")));
    long[] p = DeviceFilter.compile(rules);
    assertThat(DeviceFilter.evaluate(p, 'c', 1, 3, "rwm")).isTrue();
    assertThat(DeviceFilter.evaluate(p, 'b', 8, 1, "r")).isFalse();
    assertThat(DeviceFilter.evaluate(p, 'b', 9, 1, "r")).isTrue();
  }

  @Test
  void emptyListDeniesEverything() {
    long[] p = DeviceFilter.compile(List.of());
    assertThat(p).hasSize(8);
    assertThat(DeviceFilter.evaluate(p, 'c', 1, 3, "r")).isFalse();
  }

  @Test
  void encoding() {
    // mov32 r0, 1 ; exit  ==  b4 00 00 00 01 00 00 00 ; 95 00 00 00 00 00 00 00
    assertThat(DeviceFilter.insn(0xb4, 0, 0, 0, 1)).isEqualTo(0x00000001_000000b4L);
    assertThat(DeviceFilter.insn(0x61, 2, 1, 4, 0)).isEqualTo(0x00000000_00041261L);
    assertThat(DeviceFilter.insn(0x56, 4, 0, -1, -1)).isEqualTo(0xffffffff_ffff0456L);
  }

  @Test
  void rulesAreValidatedWithTheirIndex() {
    assertThatThrownBy(() -> DeviceRule.from(List.of(rule(true, "c", 1L, 3L, "rwm"), rule(true, "x", 1L, 3L, "r"))))
        .hasMessage("linux.resources.devices[1].type: \"x\" is not one of a, c, b");
    assertThatThrownBy(() -> DeviceRule.from(List.of(new LinuxDeviceCgroup(null, "c", 1L, 3L, "r"))))
        .hasMessage("linux.resources.devices[0].allow: missing (required)");
  }

  /** runc keeps the letters the kernel knows and ignores the rest ("rwa" in older configs). */
  @Test
  void accessLettersBeyondRwmAreIgnored() throws Exception {
    assertThat(DeviceRule.from(List.of(rule(true, "c", 1L, 3L, "rwa"), rule(false, "b", 8L, 0L, "amqr"),
        rule(true, "c", 1L, 5L, "a"))).stream().map(DeviceRule::v1).toList())
        .containsExactly("c 1:3 rw", "b 8:0 rm");
    assertThat(DeviceRule.ignoredAccess("rwa")).isEqualTo("a");
    assertThat(DeviceRule.ignoredAccess("amqa")).isEqualTo("aq");
    assertThat(DeviceRule.ignoredAccess("mwr")).isEmpty();
  }

  @Test
  void v1Lines() throws Exception {
    assertThat(DeviceRule.from(List.of(rule(true, "c", 136L, null, "wr"), rule(false, null, null, null, null)))
        .stream().map(DeviceRule::v1).toList()).containsExactly("c 136:* rw", "a *:* rwm");
  }
}
