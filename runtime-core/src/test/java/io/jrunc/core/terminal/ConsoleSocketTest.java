package io.jrunc.core.terminal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.sys.SysException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleSocketTest {
  @TempDir Path tmp;

  @Test
  void flagCombinationsAsRuncChecksThem() {
    assertThat(ConsoleSocket.checkFlags(true, true, true)).isNull();
    assertThat(ConsoleSocket.checkFlags(true, false, false)).isNull(); // run -t: the relay
    assertThat(ConsoleSocket.checkFlags(false, true, false)).isNull();
    assertThat(ConsoleSocket.checkFlags(false, false, false)).isNull();
    assertThat(ConsoleSocket.checkFlags(true, true, false))
        .isEqualTo("cannot allocate tty if runc will detach without setting console socket");
    assertThat(ConsoleSocket.checkFlags(false, true, true))
        .isEqualTo("cannot use console socket if runc will not detach or allocate tty");
    assertThat(ConsoleSocket.checkFlags(true, false, true))
        .isEqualTo("cannot use console socket if runc will not detach or allocate tty");
  }

  @Test
  void missingSocketIsOneClearError() {
    assertThatThrownBy(() -> ConsoleSocket.connect(tmp.resolve("gone.sock")))
        .isInstanceOf(SysException.class)
        .hasMessage("connect to the console socket " + tmp.resolve("gone.sock") + ": no such file or directory (ENOENT)");
  }
}
