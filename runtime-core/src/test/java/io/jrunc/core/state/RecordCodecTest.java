package io.jrunc.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** state.json is read strictly: a wrong type is an error naming the field, never a default. */
class RecordCodecTest {
  private static final String FILE = "/run/jrunc/c1/state.json";
  private static final ContainerRecord REC = new ContainerRecord("c1", "/b", "/b/rootfs", 4242, 987654, "2026-01-01T00:00:00Z",
      "root", Map.of("a", "b"), "1.3.0", Map.of("driver", "cgroupfs", "layout", "V2", "path", "/sys/fs/cgroup/x"), false,
      true, true);

  @TempDir Path tmp;

  private static String json() throws Exception {
    return new String(RecordCodec.write(REC), StandardCharsets.UTF_8);
  }

  private static ContainerRecord read(String json) throws Exception {
    return RecordCodec.read(json.getBytes(StandardCharsets.UTF_8), "c1", FILE);
  }

  private static MalformedRecordException malformed(String json) {
    try {
      read(json);
    } catch (MalformedRecordException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError("expected a MalformedRecordException, got " + e, e);
    }
    throw new AssertionError("read as well-formed: " + json);
  }

  /** create's last record, encoded before init's pid is known and filled in after: the same bytes, the same record. */
  @Test
  void aPreparedRecordFilledInIsTheRecordItself() throws Exception {
    ContainerRecord ahead = new ContainerRecord(REC.id(), REC.bundle(), REC.rootfs(), 0, 0, REC.created(), REC.owner(),
        REC.annotations(), REC.ociVersion(), REC.cgroup(), REC.systemdCgroup(), REC.rootless(), REC.ownPidNamespace(),
        true);
    ContainerRecord whole = new ContainerRecord(REC.id(), REC.bundle(), REC.rootfs(), REC.pid(), REC.pidStartTime(),
        REC.created(), REC.owner(), REC.annotations(), REC.ociVersion(), REC.cgroup(), REC.systemdCgroup(), REC.rootless(),
        REC.ownPidNamespace(), true);
    assertThat(RecordCodec.Parts.of(ahead).with(REC.pid(), REC.pidStartTime())).isEqualTo(RecordCodec.write(whole));
    StateStore store = new StateStore(tmp.resolve("root"));
    assertThat(store.claim("c1")).isTrue();
    assertThat(store.writeRecord(StateStore.prepare(ahead), REC.pid(), REC.pidStartTime())).isEqualTo(whole);
    assertThat(store.readRecord("c1")).isEqualTo(whole);
  }

  @Test
  void roundTrips() throws Exception {
    assertThat(read(json())).isEqualTo(REC);
    // a record being created: pid 0, nulls where nothing is known yet, unknown fields skipped
    ContainerRecord pending = new ContainerRecord("c1", null, null, 0, 0, null, null, null, null, null, false, false, false);
    assertThat(read(new String(RecordCodec.write(pending), StandardCharsets.UTF_8))).isEqualTo(pending);
    assertThat(read("{\"id\":\"c1\",\"pid\":1,\"pidStartTime\":2,\"future\":{\"x\":[1,2]}}").pid()).isEqualTo(1);
    // hooks: written only when known, read back as written; absent is unknown (null)
    assertThat(json()).doesNotContain("hooks");
    for (Boolean h : new Boolean[] {true, false}) {
      ContainerRecord r = new ContainerRecord("c1", null, null, 0, 0, null, null, null, null, null, false, false, false, h);
      assertThat(new String(RecordCodec.write(r), StandardCharsets.UTF_8)).endsWith(",\"hooks\":" + h + "}");
      assertThat(read(new String(RecordCodec.write(r), StandardCharsets.UTF_8)).hooks()).isEqualTo(h);
    }
    assertThat(malformed("{\"id\":\"c1\",\"pid\":1,\"pidStartTime\":2,\"hooks\":\"no\"}").getMessage()).contains("hooks");
  }

  @Test
  void hostileStringsRoundTripAndStayOneValue() throws Exception {
    // annotations come from the user's config.json: quotes, backslashes, control characters,
    // non-ASCII and a would-be field injection must come back exactly, as one string each
    String evil = "a\"b\\c\u0000\u0001\u001f\n\r\t\u007fé😀\",\"pid\":1,\"x\":\"";
    ContainerRecord r = new ContainerRecord("c1", "/b\"", evil, 1, 2, null, null,
        Map.of(evil, evil, "", ""), null, null, false, false, false);
    byte[] json = RecordCodec.write(r);
    assertThat(RecordCodec.read(json, "c1", FILE)).isEqualTo(r);
    assertThat(new String(json, StandardCharsets.UTF_8)).doesNotContain("\u0000").contains("\\u0000", "\\u001F");
  }

  @Test
  void writesTheCompactShapeEnginesAndTestsGrep() throws Exception {
    assertThat(json()).startsWith("{\"id\":\"c1\",\"bundle\":\"/b\",\"rootfs\":\"/b/rootfs\",\"pid\":4242,\"pidStartTime\":987654,")
        .endsWith("\"systemdCgroup\":false,\"rootless\":true,\"ownPidNamespace\":true}");
  }

  @Test
  void hostileDocumentsAreMalformedNotCrashes() {
    assertThat(malformed("[".repeat(1 << 20)).problems())
        .containsExactly("expected a JSON object, found an array");
    assertThat(malformed("{\"id\":\"c1\",\"x\":" + "[".repeat(1 << 20)).problems().getFirst())
        .startsWith("not valid JSON: Nesting depth exceeds the maximum allowed (64)");
    assertThat(malformed("{\"id\":\"c1\",\"pid\":1,\"pidStartTime\":2,}").problems().getFirst())
        .startsWith("not valid JSON: Unexpected character ('}' (code 125))");
    assertThat(malformed("{\"id\":\"c1\",\"pid\":01,\"pidStartTime\":2}").problems().getFirst())
        .contains("leading zeroes not allowed");
    assertThat(malformed("{\"id\":\"c\u0001\"}").problems().getFirst()).contains("Illegal unquoted character");
    try {
      RecordCodec.read(new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'}, "c1", FILE);
      throw new AssertionError("invalid UTF-8 accepted");
    } catch (MalformedRecordException e) {
      assertThat(e.problems()).containsExactly("not valid JSON: Invalid UTF-8");
    }
  }

  @Test
  void theIssuesRecordIsMalformedNotCreating() throws Exception {
    MalformedRecordException e = malformed(json().replace("\"pid\":4242", "\"pid\":\"abc\",\"init_process_pid\":{}"));
    assertThat(e).hasMessage("state.json " + FILE + " is malformed: field \"pid\": expected an integer, found a string \"abc\"");
    assertThat(e.file()).isEqualTo(FILE);
    // what delete --force may still trust
    assertThat(e.readable("pid")).isFalse();
    assertThat(e.readable("pidStartTime")).isTrue();
    assertThat(e.readable("cgroup")).isTrue();
    assertThat(e.salvage().cgroup()).isEqualTo(REC.cgroup());
    assertThat(e.salvage().pidStartTime()).isEqualTo(987654);
    assertThat(e.salvage().id()).isEqualTo("c1");
  }

  @Test
  void everyFieldIsTypeChecked() {
    String base = "{\"id\":\"c1\",\"pid\":1,\"pidStartTime\":2,";
    String[][] cases = {
      {"\"bundle\":5}", "field \"bundle\": expected a string, found a number 5"},
      {"\"rootfs\":[]}", "field \"rootfs\": expected a string, found an array"},
      {"\"created\":true}", "field \"created\": expected a string, found a boolean"},
      {"\"owner\":{}}", "field \"owner\": expected a string, found an object"},
      {"\"ociVersion\":1.5}", "field \"ociVersion\": expected a string, found a number 1.5"},
      {"\"annotations\":\"x\"}", "field \"annotations\": expected an object of strings, found a string \"x\""},
      {"\"cgroup\":{\"path\":1}}", "field \"cgroup\" key \"path\": expected a string, found a number 1"},
      {"\"systemdCgroup\":\"true\"}", "field \"systemdCgroup\": expected a boolean, found a string \"true\""},
      {"\"rootless\":1}", "field \"rootless\": expected a boolean, found a number 1"},
      {"\"ownPidNamespace\":null}", "field \"ownPidNamespace\": expected a boolean, found null"},
    };
    for (String[] c : cases) {
      assertThat(malformed(base + c[0]).problems()).as(c[0]).containsExactly(c[1]);
    }
  }

  @Test
  void numbersMustBeIntegersInRange() {
    assertThat(malformed("{\"id\":\"c1\",\"pid\":1.5,\"pidStartTime\":2}").problems())
        .containsExactly("field \"pid\": expected an integer, found a number 1.5");
    assertThat(malformed("{\"id\":\"c1\",\"pid\":-1,\"pidStartTime\":2}").problems())
        .containsExactly("field \"pid\": -1 is out of range (0 to 2147483647)");
    assertThat(malformed("{\"id\":\"c1\",\"pid\":4294967296,\"pidStartTime\":2}").problems())
        .containsExactly("field \"pid\": 4294967296 is out of range (0 to 2147483647)");
    assertThat(malformed("{\"id\":\"c1\",\"pid\":1,\"pidStartTime\":99999999999999999999999}").problems())
        .containsExactly("field \"pidStartTime\": 99999999999999999999999 is out of range (0 to 9223372036854775807)");
    assertThat(malformed("{\"id\":\"c1\",\"pid\":null,\"pidStartTime\":2}").problems())
        .containsExactly("field \"pid\": expected an integer, found null");
  }

  @Test
  void everyProblemIsReportedAndRequiredFieldsMustBeThere() {
    MalformedRecordException e = malformed("{\"pid\":{\"a\":[1]},\"cgroup\":7}");
    assertThat(e.problems()).containsExactly(
        "field \"pid\": expected an integer, found an object",
        "field \"cgroup\": expected an object of strings, found a number 7",
        "field \"id\" is missing",
        "field \"pidStartTime\" is missing");
    assertThat(e.readable("cgroup")).isFalse();
  }

  @Test
  void anotherContainersIdIsRefused() {
    MalformedRecordException e = malformed("{\"id\":\"other\",\"pid\":1,\"pidStartTime\":2}");
    assertThat(e.problems()).containsExactly("field \"id\": \"other\" is not the id of its directory, \"c1\"");
    assertThat(e.salvage().id()).isEqualTo("c1");
    assertThat(e.readable("pid")).isTrue();
  }

  @Test
  void brokenDocumentsAreMalformed() {
    assertThat(malformed("").problems()).containsExactly("expected a JSON object, found the end of the file");
    assertThat(malformed("[1]").problems()).containsExactly("expected a JSON object, found an array");
    assertThat(malformed("{\"id\":\"c1\",\"pid\":1,\"pidStartTime\":2} {}").problems())
        .containsExactly("unexpected an object after the record");
    assertThat(malformed("{\"id\":\"c1\",\"pid\":1,\"pid\":2,\"pidStartTime\":2}").problems().getFirst())
        .startsWith("not valid JSON: Duplicate field 'pid'");
    MalformedRecordException cut = malformed("{\"id\":\"c1\",\"pid\":7,\"pidSt");
    assertThat(cut.problems().getFirst()).startsWith("not valid JSON: Unexpected end-of-input").contains("at line 1, column");
    assertThat(cut.readable("pid")).isTrue();
    assertThat(cut.salvage().pid()).isEqualTo(7);
  }

  @Test
  void theStoreRefusesALinkOrFifoAsStateJson() throws Exception {
    StateStore store = new StateStore(tmp);
    assertThat(store.claim("c1")).isTrue();
    Path state = tmp.resolve("c1/state.json");
    Files.write(tmp.resolve("elsewhere.json"), RecordCodec.write(REC));
    Files.createSymbolicLink(state, tmp.resolve("elsewhere.json"));
    assertThatThrownBy(() -> store.readRecord("c1"))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessageContaining("state.json " + state + " is a symbolic link");
    Files.delete(state);
    assertThat(store.readRecord("c1")).as("no state.json: being created").isNull();
    store.writeRecord(REC);
    assertThat(store.readRecord("c1")).isEqualTo(REC);
  }
}
