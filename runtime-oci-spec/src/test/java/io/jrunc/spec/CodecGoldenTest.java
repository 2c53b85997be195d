package io.jrunc.spec;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Holds the codec to what the jackson-core implementation of {@code In}/{@code Out} produced,
 * byte for byte: the golden files under {@code golden/} were written by {@link #main} run
 * against that implementation (before it was replaced by {@link JsonScanner} and a plain
 * writer), so a difference in output, error wording, JSON pointer, line or column fails here.
 *
 * <p>Where the results differ from jackson's on purpose, reads.txt was changed with the
 * tokenizer (see that commit's diff): invalid UTF-8 that jackson let through (overlong forms
 * such as C0 AF for '/', sequences above U+10FFFF) and UTF-16/32 input (which jackson guessed
 * from a byte order mark or NUL bytes) are errors; too deep nesting and too long numbers are
 * {@link SpecFormatException}s with a location (jackson threw its own exception type); and a
 * few messages for non-ASCII bytes where a value or name starts name the character instead of
 * jackson's misreading of it.
 *
 * <p>{@code golden/reads.txt}: per case the input (one line, see {@link #unescape}) and what
 * {@link Json#read} made of it: the record written compact, or the error with its pointer,
 * line and column. {@code golden/NAME.out}: each sample document written compact, with a tab,
 * two spaces and four spaces of indent.
 */
class CodecGoldenTest {

    static final List<String> DOCS = List.of("runc-spec.json", "runc-spec-rootless.json", "crun-spec.json",
            "podman-default.json", "podman-rich.json", "containerd-default.json", "containerd-rich.json",
            "device-access-rwa.json", "runc-state-created.json", "runc-state-running.json", "runc-state-stopped.json",
            "runc-features.json", "strings.json");

    @Test
    void readsAsBefore() throws Exception {
        List<String> expected = lines(resource("golden/reads.txt"));
        List<String> actual = reads(lines(resource("golden/cases.txt")), invalidCorpus());
        assertThat(String.join("\n", actual)).isEqualTo(String.join("\n", expected));
    }

    @Test
    void writesAsBefore() throws Exception {
        for (String doc : DOCS) {
            assertThat(writes(doc)).as(doc).isEqualTo(new String(resource("golden/" + doc + ".out"), StandardCharsets.UTF_8));
        }
    }

    /** Writes the golden files into DIR (the module's src/test/resources/golden). */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Files.write(dir.resolve("reads.txt"), (String.join("\n", reads(lines(Files.readAllBytes(dir.resolve("cases.txt"))),
                invalidCorpus())) + "\n").getBytes(StandardCharsets.UTF_8));
        for (String doc : DOCS) {
            Files.writeString(dir.resolve(doc + ".out"), writes(doc));
        }
    }

    static Class<?> typeOf(String doc) {
        return doc.startsWith("runc-state") ? State.class : doc.startsWith("runc-features") ? Features.class : Spec.class;
    }

    static String writes(String doc) throws Exception {
        Object value = Json.read(resource(doc.equals("strings.json") ? "golden/strings.json" : doc), typeOf(doc));
        return Json.write(value) + "\n----\n" + Json.writePretty(value) + "\n----\n" + Json.writeIndented(value, "  ")
                + "\n----\n" + Json.writeIndented(value, "    ") + "\n";
    }

    /** Each case: a line "TYPE INPUT" (TYPE a record of io.jrunc.spec), then the outcome. */
    static List<String> reads(List<String> cases, List<Path> files) throws Exception {
        List<String> out = new ArrayList<>();
        for (String c : cases) {
            if (c.isEmpty() || c.startsWith("#")) {
                continue;
            }
            int sp = c.indexOf(' ');
            Class<?> type = Class.forName("io.jrunc.spec." + c.substring(0, sp));
            out.add(c);
            out.add("  => " + outcome(unescape(c.substring(sp + 1)), type));
        }
        for (Path f : files) {
            out.add("file " + f.getFileName());
            out.add("  => " + outcome(Files.readAllBytes(f), Spec.class));
        }
        return out;
    }

    static String outcome(byte[] json, Class<?> type) {
        try {
            return "ok " + Json.write(Json.read(json, type));
        } catch (SpecFormatException e) {
            return "error " + e.getMessage() + " | pointer " + e.jsonPointer() + " line " + e.line() + " column " + e.column();
        } catch (Exception e) {
            return "exception " + e;
        }
    }

    /**
     * A case's input: UTF-8 of the line, but {@code \n}, {@code \r} and {@code \t} are those
     * characters, {@code \xHH} is the raw byte HH (for invalid UTF-8), {@code \UHHHH} the
     * character (UTF-8 encoded) and {@code \R(N)X} the text X repeated N times; any other
     * backslash stays as it is (JSON's own escapes).
     */
    static byte[] unescape(String s) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(i + 1);
                switch (n) {
                    case 'n' -> b.write('\n');
                    case 't' -> b.write('\t');
                    case 'r' -> b.write('\r');
                    case 'x' -> {
                        b.write(Integer.parseInt(s.substring(i + 2, i + 4), 16));
                        i += 2;
                    }
                    case 'U' -> {
                        b.writeBytes(String.valueOf((char) Integer.parseInt(s.substring(i + 2, i + 6), 16)).getBytes(StandardCharsets.UTF_8));
                        i += 4;
                    }
                    case 'R' -> {
                        int close = s.indexOf(')', i);
                        int n2 = Integer.parseInt(s.substring(i + 3, close));
                        b.writeBytes(String.valueOf(s.charAt(close + 1)).repeat(n2).getBytes(StandardCharsets.UTF_8));
                        i = close;
                    }
                    default -> {
                        b.write('\\');
                        continue;
                    }
                }
                i++;
            } else {
                b.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return b.toByteArray();
    }

    static List<Path> invalidCorpus() throws Exception {
        Path dir = Path.of(CodecGoldenTest.class.getResource("/invalid").toURI());
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = CodecGoldenTest.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                throw new IOException("no resource " + name);
            }
            return in.readAllBytes();
        }
    }

    static List<String> lines(byte[] text) {
        return new String(text, StandardCharsets.UTF_8).lines().toList();
    }
}
