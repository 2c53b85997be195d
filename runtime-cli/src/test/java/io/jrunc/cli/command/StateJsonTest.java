package io.jrunc.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrunc.spec.Json;
import io.jrunc.spec.State;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code state}'s hand-written output is byte for byte what the spec's Jackson codec writes
 * (runc's format): field order, null fields, empty and unsorted annotations, and every
 * character class that is escaped.
 */
class StateJsonTest {
  private static String every() {
    StringBuilder b = new StringBuilder();
    for (char c = 0; c < 0x80; c++) b.append(c);
    return b + "\u00e9\u4e2d\ud83d\ude00\u2028\u2029\u00a0";
  }

  private static final List<State> STATES = List.of(
      new State("1.3.0", "abc", "running", 4242, "/run/b", Map.of("z", "1", "a", "<x>&y"),
          "/run/b/rootfs", "2026-12-05T07:00:00.123456789Z", "root"),
      new State("1.3.0", "abc", "stopped", 0, "/b", null, "/b/rootfs", "2026-12-05T07:00:00Z", ""),
      new State("1.3.0", "abc", "creating", 0, null, null, null, null, null),
      new State(null, null, null, null, null, null, null, null, null),
      new State("1.3.0", "x", "created", 1, "/b", Map.of(), "/r", "c", "o"),
      new State("1.3.0", every(), "running", 7, every(), annotations(), every(), every(), every()));

  private static Map<String, String> annotations() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("org.z", every());
    m.put(every(), "v");
    m.put("a", "");
    return m;
  }

  @Test
  void matchesTheSpecCodecByteForByte() {
    for (State s : STATES) {
      assertEquals(Json.writeIndented(s, "  "), StateJson.write(s), "state " + s);
    }
  }
}
