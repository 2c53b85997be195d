package io.jrunc.spec.validate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every file in resources/invalid/ is a config with exactly one thing wrong; its .expected file
 * holds a fragment of the one formatted problem. Checked with and without the JSON Schema: both
 * paths must find exactly that problem (the lifecycle path runs without the schema).
 */
class InvalidCorpusTest {

    static Path dir() throws URISyntaxException {
        return Path.of(InvalidCorpusTest.class.getResource("/invalid").toURI());
    }

    static Stream<String> cases() throws IOException, URISyntaxException {
        try (Stream<Path> files = Files.list(dir())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - 5))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @Test
    void corpusIsLargeEnough() throws Exception {
        assertThat(cases().count()).isGreaterThanOrEqualTo(30);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void withSchema(String name) throws Exception {
        check(name, true);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void semanticOnly(String name) throws Exception {
        check(name, false);
    }

    private static void check(String name, boolean schema) throws Exception {
        byte[] json = Files.readAllBytes(dir().resolve(name + ".json"));
        String expected = Files.readString(dir().resolve(name + ".expected"), StandardCharsets.UTF_8).strip();
        ValidationReport report = Validator.validate(json, ValidationOptions.full().withSchema(schema));
        List<String> formatted = report.problems().stream().map(p -> p.format("config.json")).toList();
        assertThat(formatted).as("%s (schema %s)", name, schema).hasSize(1);
        String full = expected.startsWith("config.json: ") ? expected : "config.json: " + expected;
        assertThat(formatted.getFirst()).as("%s (schema %s)", name, schema).contains(full);
        assertThat(report.ok()).isFalse();
    }
}
