package io.jrunc.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.spec.LinuxDeviceCgroup;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Normalising linux.resources.devices, and the rules a v1 devices cgroup cannot hold. */
class DeviceRuleTest {
  private static LinuxDeviceCgroup rule(boolean allow, String type, Long major, Long minor, String access) {
    return new LinuxDeviceCgroup(allow, type, major, minor, access);
  }

  @Test
  void minusOneIsTheWildcardAsAMissingNumberIs() throws Exception {
    // docker and podman write -1 for the '*' of --device-cgroup-rule 'c 42:* rwm'
    List<DeviceRule> rules = DeviceRule.from(List.of(rule(true, "c", 42L, -1L, "rwm"), rule(true, "b", -1L, null, "r")));
    assertThat(rules).extracting(DeviceRule::v1).containsExactly("c 42:* rwm", "b *:* r");
    assertThatThrownBy(() -> DeviceRule.from(List.of(rule(true, "c", -2L, 1L, "r"))))
        .hasMessage("linux.resources.devices[0].major: -2 is not a device major number");
  }

  /** Access letters come out as r, w, m in that order, each once; others are dropped, and a rule left with none. */
  @Test
  void accessIsNormalisedToTheLettersTheKernelKnows() throws Exception {
    List<DeviceRule> rules = DeviceRule.from(List.of(rule(true, "c", 1L, 3L, "mwr"), rule(true, "c", 1L, 5L, "rwa"),
        rule(false, "b", 8L, 0L, "wwm"), rule(true, "c", 1L, 7L, "a"), rule(true, "c", 1L, 8L, null), rule(true, "c", 1L, 9L, "m")));
    assertThat(rules).extracting(DeviceRule::v1).containsExactly("c 1:3 rwm", "c 1:5 rw", "b 8:0 wm", "c 1:8 rwm", "c 1:9 m");
  }

  @Test
  void aDenyInsideAnEarlierWildcardAllowIsRefusedOnV1() throws Exception {
    List<DeviceRule> hole = DeviceRule.from(List.of(rule(false, "a", null, null, "rwm"),
        rule(true, "c", 10L, null, "rwm"), rule(false, "c", 10L, 237L, "rwm")));
    assertThatThrownBy(() -> DeviceRule.checkV1(hole)).isInstanceOf(CgroupException.class)
        .hasMessage("linux.resources.devices[2]: deny c 10:237 rwm cannot be set on a cgroup v1 devices controller:"
            + " it lies inside the earlier allow c 10:* rwm, and the kernel removes only exact exceptions"
            + " (runc: cannot punch hole in existing wildcard rule)");
    // the same with the defaults flipped: an allow inside a wildcard deny of a default-allow cgroup
    List<DeviceRule> flipped = DeviceRule.from(List.of(rule(true, "a", null, null, "rwm"),
        rule(false, "b", null, 3L, "w"), rule(true, "b", 8L, 3L, "rw")));
    assertThatThrownBy(() -> DeviceRule.checkV1(flipped)).hasMessageContaining("allow b 8:3 rw").hasMessageContaining("deny b *:3 w");
  }

  @Test
  void exactRemovalsDisjointAccessAndResetsAreFine() throws Exception {
    for (List<LinuxDeviceCgroup> ok : List.of(
        // an exact exception removed again
        List.of(rule(false, "a", null, null, "rwm"), rule(true, "c", 1L, 3L, "rwm"), rule(false, "c", 1L, 3L, "w")),
        // the wildcard's access does not meet the deny's (mknod of any char device, read of one denied)
        List.of(rule(false, "a", null, null, "rwm"), rule(true, "c", null, null, "m"), rule(false, "c", 5L, 1L, "rw")),
        // a type-a rule drops every exception first
        List.of(rule(true, "c", 10L, null, "rwm"), rule(false, "a", null, null, "rwm"), rule(false, "c", 10L, 237L, "rwm")),
        // what privileged engines write, with runc's default list after it
        DeviceRule.withRuncDefaults(List.of(rule(true, "a", null, null, "rwm"))),
        DeviceRule.withRuncDefaults(List.of(rule(false, "a", null, null, "rwm"), rule(true, "c", 42L, -1L, "rwm"))))) {
      List<DeviceRule> rules = DeviceRule.from(ok);
      assertThatCode(() -> DeviceRule.checkV1(rules)).as(ok.toString()).doesNotThrowAnyException();
    }
  }
}
