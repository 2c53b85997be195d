package io.jrunc.core.rootfs;

import static io.jrunc.core.sys.Mount.MS_NOSUID;
import static io.jrunc.core.sys.Mount.MS_RDONLY;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MountOptions.parse keeps the parses of lists it met: a kept parse is the list's, whatever list object comes. */
class MountOptionsParseTest {
  @Test
  void aListParsedBeforeGivesTheSameResultAndAChangedListItsOwn() {
    List<String> given = new ArrayList<>(List.of("ro", "nosuid", "size=1m"));
    MountOptions first = MountOptions.parse(given);
    assertThat(first.has(MS_RDONLY)).isTrue();
    assertThat(MountOptions.parse(List.of("ro", "nosuid", "size=1m"))).isEqualTo(first);
    // the caller's list changed after its parse was kept: the change counts, and the kept parse
    // of the old content stays right
    given.set(0, "rw");
    MountOptions changed = MountOptions.parse(given);
    assertThat(changed.has(MS_RDONLY)).isFalse();
    assertThat(changed.clearFlags() & MS_RDONLY).isEqualTo(MS_RDONLY);
    assertThat(MountOptions.parse(List.of("ro", "nosuid", "size=1m")).has(MS_RDONLY)).isTrue();
  }

  @Test
  void longListsAreParsedAndNotKept() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 40; i++) many.add("x" + i + "=" + i);
    List<String> longOne = List.of("ro", "context=" + "a".repeat(2000));
    int before = MountOptions.keptLists();
    assertThat(MountOptions.parse(many).data()).hasSize(40);
    assertThat(MountOptions.parse(longOne).has(MS_RDONLY)).isTrue();
    assertThat(MountOptions.parse(longOne).data()).containsExactly("context=" + "a".repeat(2000));
    assertThat(MountOptions.keptLists()).isEqualTo(before);
    MountOptions.parse(List.of("nodev", "size=" + before)); // a short one is kept
    assertThat(MountOptions.keptLists()).isEqualTo(Math.min(before + 1, MountOptions.PARSED_MAX));
  }

  @Test
  void nullsAndNoOptionsParseAsBefore() {
    MountOptions withNull = MountOptions.parse(Arrays.asList("nosuid", null, "size=2m"));
    assertThat(withNull.has(MS_NOSUID)).isTrue();
    assertThat(withNull.data()).containsExactly("size=2m");
    assertThat(MountOptions.parse(Arrays.asList("nosuid", null, "size=2m"))).isEqualTo(withNull);
    assertThat(MountOptions.parse(null).flags()).isZero();
    assertThat(MountOptions.parse(null).data()).isEmpty();
  }
}
