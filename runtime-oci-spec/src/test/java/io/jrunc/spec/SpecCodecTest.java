package io.jrunc.spec;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The generated streaming codec (behind Json.read/write) must agree with Jackson databind
 * (Json.mapper(), the reference mapping) on every document we have.
 */
class SpecCodecTest {

    static final ObjectMapper M = Json.mapper();

    @ParameterizedTest
    @ValueSource(strings = {"runc-spec.json", "runc-spec-rootless.json", "crun-spec.json", "podman-default.json",
            "podman-rich.json", "containerd-default.json", "containerd-rich.json"})
    void specsAgree(String name) throws Exception {
        agree(JsonRoundTripTest.resource(name), Spec.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"runc-state-created.json", "runc-state-running.json", "runc-state-stopped.json"})
    void statesAgree(String name) throws Exception {
        agree(JsonRoundTripTest.resource(name), State.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"runc-features.json"})
    void featuresAgree(String name) throws Exception {
        agree(JsonRoundTripTest.resource(name), Features.class);
    }

    static Stream<Path> invalid() throws Exception {
        Path dir = Path.of(SpecCodecTest.class.getResource("/invalid").toURI());
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList().stream();
        }
    }

    /** Same records or same failure (and for type errors, the same JSON pointer). */
    @ParameterizedTest
    @MethodSource("invalid")
    void invalidCorpusAgrees(Path file) throws Exception {
        byte[] json = Files.readAllBytes(file);
        Spec viaMapper = null;
        Throwable mapperError = null;
        try {
            viaMapper = M.readValue(json, Spec.class);
        } catch (Exception e) {
            mapperError = e;
        }
        Throwable codecError = catchThrowable(() -> Json.read(json, Spec.class));
        String name = file.getFileName().toString();
        if (name.equals("not-an-object.json")) {
            assertThat(codecError).isInstanceOf(SpecFormatException.class).hasMessage("/: must be a JSON object, got array");
            return;
        }
        if (mapperError == null) {
            assertThat(codecError).as(name).isNull();
            assertThat(Json.read(json, Spec.class)).as(name).isEqualTo(viaMapper);
            assertThat(Json.write(viaMapper)).isEqualTo(M.writeValueAsString(viaMapper));
        } else {
            assertThat(codecError).as(name).isInstanceOf(SpecFormatException.class);
            if (mapperError instanceof JsonMappingException jme && !jme.getPath().isEmpty()) {
                assertThat(((SpecFormatException) codecError).jsonPointer()).as(name)
                        .isEqualTo(io.jrunc.spec.validate.ValidatorAccess.pointerOf(jme));
            }
        }
    }

    @org.junit.jupiter.api.Test
    void unknownFieldsAtEveryDepthAreSkipped() throws Exception {
        String json = """
                {"ociVersion": "1.3.0", "windows": {"layerFolders": ["a"], "x": {"y": [1, {"z": null}]}},
                 "process": {"future": [[], {}], "user": {"uid": 1, "gid": 2, "sid": "S-1"}, "args": ["sh"], "cwd": "/"},
                 "linux": {"namespaces": [{"type": "pid", "flags": {"a": 1}}], "later": true},
                 "zzz": 1.5e300}
                """;
        agree(json.getBytes(), Spec.class);
        Spec spec = Json.read(json, Spec.class);
        assertThat(spec.process().user().gid()).isEqualTo(2L);
        assertThat(spec.linux().namespaces()).containsExactly(new LinuxNamespace("pid", null));
    }

    /**
     * Go's encoding/json (runc) binds a key that matches no field exactly to the field it equals
     * but for case: runc's own hugetlb test writes {"pagesize": ...}. The last of two keys for one
     * field wins, as in Go; map keys (annotations, sysctl) keep their case.
     */
    @org.junit.jupiter.api.Test
    void keysDifferingOnlyByCaseBindAsInGo() throws Exception {
        String json = """
                {"ociVersion": "1.3.0", "Process": {"Terminal": true, "ARGS": ["sh"], "cwd": "/"},
                 "linux": {"resources": {"hugepageLimits": [{"pagesize": "2MB", "LIMIT": 2097152}]},
                   "cgroupspath": "/a", "cgroupsPath": "/b", "SYSCTL": {"Net.X": "1"}},
                 "annotations": {"Key": "v"}}
                """;
        agree(json.getBytes(), Spec.class);
        Spec spec = Json.read(json, Spec.class);
        assertThat(spec.process().terminal()).isTrue();
        assertThat(spec.process().args()).containsExactly("sh");
        assertThat(spec.linux().resources().hugepageLimits()).containsExactly(new LinuxHugepageLimit("2MB", 2097152L));
        assertThat(spec.linux().cgroupsPath()).isEqualTo("/b");
        assertThat(spec.linux().sysctl()).containsOnlyKeys("Net.X");
        assertThat(spec.annotations()).containsOnlyKeys("Key");
        assertThat(Json.processTerminal(json.getBytes())).isTrue();
        // both spellings of one field: the last one wins, as in Go
        assertThat(Json.read("{\"process\": {\"cwd\": \"/x\", \"CWD\": \"/y\"}}", Spec.class).process().cwd()).isEqualTo("/y");
    }

    @org.junit.jupiter.api.Test
    void syntaxErrorsCarryLineAndColumn() {
        assertThat(catchThrowable(() -> Json.read("{\"ociVersion\": \"1.3.0\"} {}", Spec.class)))
                .isInstanceOf(SpecFormatException.class)
                .hasMessage("line 1, column 25: unexpected content after the top-level value");
        assertThat(catchThrowable(() -> Json.read("", Spec.class))).hasMessage("line 1, column 1: empty document");
        assertThat(catchThrowable(() -> Json.read("null", Spec.class))).hasMessage("/: must be a JSON object, got null");
        SpecFormatException e = (SpecFormatException) catchThrowable(() -> Json.read("{\n  \"process\": {\n    \"args\": [\"sh\",]\n", Spec.class));
        assertThat(e.jsonPointer()).isNull();
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.reason()).startsWith("Unexpected character (']'");
    }

    @org.junit.jupiter.api.Test
    void typeErrorsNameThePointer() {
        SpecFormatException e = (SpecFormatException) catchThrowable(() ->
                Json.read("{\"linux\": {\"sysctl\": {\"net/ipv4\": 1}}}", Spec.class));
        assertThat(e.jsonPointer()).isEqualTo("/linux/sysctl/net~1ipv4");
        assertThat(e.reason()).isEqualTo("must be a string, got integer 1");
        e = (SpecFormatException) catchThrowable(() ->
                Json.read("{\"process\": {\"rlimits\": [{}, {\"hard\": 1.5}]}}", Spec.class));
        assertThat(e).hasMessage("/process/rlimits/1/hard: must be an integer, got number 1.5");
        e = (SpecFormatException) catchThrowable(() -> Json.read("{\"process\": {\"oomScoreAdj\": 3000000000}}", Spec.class));
        assertThat(e).hasMessage("/process/oomScoreAdj: must be a 32-bit integer (-2147483648 to 2147483647), got 3000000000");
    }

    private static <T> void agree(byte[] json, Class<T> type) throws Exception {
        T viaMapper = M.readValue(json, type);
        T viaCodec = Json.read(json, type);
        assertThat(viaCodec).isEqualTo(viaMapper);
        assertThat(Json.write(viaCodec)).isEqualTo(M.writeValueAsString(viaMapper));
        assertThat(Json.writePretty(viaCodec)).isEqualTo(M.writer(new com.fasterxml.jackson.core.util.DefaultPrettyPrinter(
                com.fasterxml.jackson.core.util.Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(com.fasterxml.jackson.core.util.Separators.Spacing.AFTER)
                        .withObjectEmptySeparator("").withArrayEmptySeparator(""))
                .withObjectIndenter(new com.fasterxml.jackson.core.util.DefaultIndenter("\t", "\n"))
                .withArrayIndenter(new com.fasterxml.jackson.core.util.DefaultIndenter("\t", "\n"))).writeValueAsString(viaMapper));
    }
}
