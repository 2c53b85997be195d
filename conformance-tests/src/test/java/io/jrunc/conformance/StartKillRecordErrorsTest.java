package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * start and kill read a container's record once, under its lock, when its state.json is there,
 * and before the lock otherwise: either way a missing, invalid, half-created or damaged record
 * fails with the words it always did (the same as state's), exit 1, one error line. No
 * container runs here, so no root is needed.
 */
class StartKillRecordErrorsTest {
  @TempDir Path tmp;

  @Test
  void startAndKillRefuseWhatIsNotARecordWithTheUsualWords() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Path root = j.root();
    Files.createDirectories(root.resolve("creating")); // claimed, no state.json yet
    Files.createDirectories(root.resolve("bad"));
    Files.writeString(root.resolve("bad/state.json"), "{\"id\":\"bad\",\"pid\":\"abc\"");
    Files.createDirectories(root.resolve("link"));
    Files.createSymbolicLink(root.resolve("link/state.json"), Path.of("/etc/hostname"));
    Files.createDirectories(root.resolve("dir/state.json"));
    String[][] cases = {
      {"missing", "container does not exist"},
      {"../x", "container does not exist"},
      {"creating", "container creating is being created"},
      {"bad", "state.json " + root.resolve("bad/state.json") + " is malformed: field \\\"pid\\\": expected an integer,"
          + " found a string \\\"abc\\\"; not valid JSON: Unexpected end-of-input"},
      {"link", "state.json " + root.resolve("link/state.json") + " is a symbolic link: refused"},
      {"dir", "state.json " + root.resolve("dir/state.json") + " is a directory, not a regular file: refused"},
    };
    for (String cmd : new String[] {"start", "kill"}) {
      for (String[] c : cases) {
        Jrunc.Result r = cmd.equals("kill") ? j.run(cmd, c[0], "KILL") : j.run(cmd, c[0]);
        assertThat(r.exit()).as(cmd + " " + c[0] + ": " + r).isEqualTo(1);
        assertThat(r.err()).as(cmd + " " + c[0]).contains("level=error msg=\"" + c[1]);
        assertThat(r.err().lines().count()).as(cmd + " " + c[0] + ": one line").isEqualTo(1);
        assertThat(r.out()).isEmpty();
      }
    }
    // nothing was made for the ids that are not there, nor inside the one being created
    assertThat(root.resolve("missing")).doesNotExist();
    assertThat(tmp.resolve("x")).doesNotExist();
    assertThat(root.resolve("creating")).isEmptyDirectory();
  }
}
