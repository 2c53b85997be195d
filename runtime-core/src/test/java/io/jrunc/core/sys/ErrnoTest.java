package io.jrunc.core.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The errno lines: the spawn stub skips errno - 1 lines of {@link Errno#texts} and copies one
 * up to its newline, trusting there are {@link Errno#LAST} of them and that each, with its
 * newline, fits the 64 bytes its buffer keeps after the prefix; the Java side reads the same lines.
 */
class ErrnoTest {
  @Test
  void oneLinePerErrnoEachShortAndAscii() {
    List<String> lines = Errno.texts().lines().toList();
    assertThat(Errno.texts()).endsWith("\n");
    assertThat(lines).hasSize(Errno.LAST);
    for (String l : lines) {
      // the stub's say keeps room for a text of fewer than 64 bytes after the prefix (X86_64Code.say)
      assertThat(l.length()).as(l).isLessThan(63);
      assertThat(l.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).as(l).isTrue();
    }
  }

  @Test
  void namesAndTextsByNumber() {
    assertThat(Errno.describe(Errno.ENOENT)).isEqualTo("no such file or directory (ENOENT)");
    assertThat(Errno.describe(88)).isEqualTo("socket operation on non-socket (ENOTSOCK)");
    assertThat(Errno.describe(Errno.LAST)).isEqualTo("memory page has hardware error (EHWPOISON)");
    assertThat(Errno.describe(41)).isEqualTo("errno 41"); // none in Linux
    assertThat(Errno.texts().lines().toList().get(41 - 1)).isEmpty();
    assertThat(Errno.message(200)).isEqualTo("error 200");
    assertThat(Errno.name(0)).isEqualTo("errno 0");
  }
}
