package io.jrunc.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link Json#processTerminal}: run's scan for process.terminal, against the full parse's answer. */
class ProcessTerminalTest {

    private static Boolean scan(String json) throws Exception {
        return Json.processTerminal(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void findsTheBooleanWhereverProcessAndTerminalSit() throws Exception {
        assertThat(scan("{\"process\":{\"terminal\":true}}")).isTrue();
        assertThat(scan("{\"process\":{\"terminal\":false}}")).isFalse();
        // after other members, arrays and objects skipped whole, strings with escapes and braces
        assertThat(scan("{\"ociVersion\":\"1.0.2\",\"mounts\":[{\"destination\":\"/p}\",\"options\":[\"a\\\"]\"]}],"
            + "\"annotations\":{\"terminal\":\"true\"},\"process\":{\"args\":[\"sh\"],\"env\":[],"
            + "\"user\":{\"uid\":0},\"terminal\":true,\"cwd\":\"/\"}}")).isTrue();
    }

    @Test
    void absentNullOrOtherTypesAreNull() throws Exception {
        assertThat(scan("{}")).isNull();
        assertThat(scan("{\"process\":{\"args\":[\"true\"]}}")).isNull();
        assertThat(scan("{\"process\":null}")).isNull();
        assertThat(scan("{\"process\":{\"terminal\":\"true\"}}")).isNull();
        assertThat(scan("{\"process\":{\"terminal\":1}}")).isNull();
        assertThat(scan("[]")).isNull();
        // a terminal outside process does not count
        assertThat(scan("{\"root\":{\"terminal\":true},\"process\":{}}")).isNull();
    }

    @Test
    void agreesWithTheFullParseOnTheDefaultSpec() throws Exception {
        for (boolean t : new boolean[] {true, false}) {
            Spec spec = DefaultSpecs.runcDefault();
            spec = spec.withProcess(spec.process().withTerminal(t));
            byte[] json = Json.writePretty(spec).getBytes(StandardCharsets.UTF_8);
            assertThat(Json.processTerminal(json)).isEqualTo(Json.read(json, Spec.class).process().terminal());
        }
    }

    /** As the full parse (and Go's encoding/json, runc's): of a member given twice, the last. */
    @Test
    void theLastOfARepeatedMemberCounts() throws Exception {
        String twice = "{\"process\":{\"terminal\":true,\"args\":[\"sh\"]},\"root\":{\"path\":\"r\"},"
            + "\"process\":{\"terminal\":false,\"args\":[\"sh\"]}}";
        assertThat(scan(twice)).isFalse();
        assertThat(scan(twice)).isEqualTo(Json.read(twice, Spec.class).process().terminal());
        assertThat(scan("{\"process\":{\"terminal\":true},\"process\":{\"args\":[]}}")).isNull();
        assertThat(scan("{\"process\":{\"terminal\":false,\"terminal\":true}}")).isTrue();
    }

    @Test
    void aSyntaxErrorIsReported() {
        assertThat(catchThrowable(() -> scan("{\"ociVersion\" \"1.0\",\"process\":{\"terminal\":true}}")))
            .isInstanceOf(SpecFormatException.class);
        assertThat(catchThrowable(() -> scan("{\"process\":{\"terminal\":true}, \"root\": }")))
            .isInstanceOf(SpecFormatException.class);
    }
}
