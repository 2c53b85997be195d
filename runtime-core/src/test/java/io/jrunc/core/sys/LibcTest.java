package io.jrunc.core.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Libc's calls that have no other caller a test without root reaches. */
class LibcTest {
  @TempDir Path tmp;

  /** RENAME_EXCHANGE swaps two existing names; a missing one is ENOENT, with nothing changed. */
  @Test
  void renameExchangeSwapsTwoNamesOrSaysOneIsMissing() throws Exception {
    Path a = Files.writeString(tmp.resolve("a"), "new");
    Path b = Files.writeString(tmp.resolve("b"), "old");
    assertThat(Libc.renameExchange(a.toString(), b.toString())).isZero();
    assertThat(Files.readString(b)).isEqualTo("new");
    assertThat(Files.readString(a)).isEqualTo("old");

    assertThat(Libc.renameExchange(a.toString(), tmp.resolve("missing").toString())).isEqualTo(-Errno.ENOENT);
    assertThat(Files.readString(a)).isEqualTo("old");
    assertThat(tmp.resolve("missing")).doesNotExist();
  }
}
