package io.jrunc.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The one configured Jackson mapper for spec documents.
 *
 * <table>
 *   <caption>Mapping rules</caption>
 *   <tr><th>Rule</th><th>Why</th></tr>
 *   <tr><td>unknown properties ignored</td><td>config.md: runtimes MUST ignore unknown properties</td></tr>
 *   <tr><td>a key that matches no property exactly binds to one it equals but for case; the
 *       last key for a property wins</td><td>Go's decoder does so, and runc's configs (its own
 *       tests' {@code "pagesize"}) rely on it</td></tr>
 *   <tr><td>null components omitted on write</td><td>matches Go's {@code omitempty}; features.md: null is "unknown", not false</td></tr>
 *   <tr><td>record components in declaration order, map keys sorted</td><td>stable output; Go's encoder also sorts map keys</td></tr>
 *   <tr><td>no scalar coercion (number to string, string to boolean, float to int)</td><td>a wrong type is an error, as in Go's decoder</td></tr>
 * </table>
 *
 * <p>Spec records (Spec, Process, State, Features and their parts) are read and written by the
 * generated {@code SpecCodec} over a tokenizer and a writer of our own ({@code JsonScanner},
 * {@code Out}), which apply the same rules without any jackson class: a fresh JVM reads
 * config.json in a few ms instead of hundreds (databind) or 10-20 ms (jackson-core's parser).
 * SpecCodecTest holds the codec equal to databind, CodecGoldenTest to the bytes, errors and
 * locations of the jackson-core implementation it replaced. The databind mapper is built only
 * on first use (holder idiom): for trees, schema validation and non-record types.
 */
public final class Json {

    private Json() {
    }

    /**
     * Everything that touches databind. Json's own methods only delegate here, with jackson types
     * passed through unchanged: a conversion between two jackson types in Json's bytecode (a
     * DefaultPrettyPrinter passed as a PrettyPrinter, a JsonNode as a TreeNode) makes the
     * verifier load them when Json is linked, i.e. on every create, run, exec and spec.
     */
    private static final class Holder {
        static final ObjectMapper MAPPER = build();

        private static ObjectMapper build() {
            JsonMapper m = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                // a key that differs from a field's name only by case binds to it, as in Go's
                // decoder (runc) and SpecCodec (In.folded)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .build();
            // A number where a string belongs (or the reverse) is a type error, as in Go's
            // decoder, not something to stringify: "cwd": 5 must not become "5".
            for (LogicalType t : new LogicalType[]{LogicalType.Textual, LogicalType.Boolean, LogicalType.Integer}) {
                m.coercionConfigFor(t)
                        .setCoercion(CoercionInputShape.Integer, t == LogicalType.Integer ? CoercionAction.TryConvert : CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, t == LogicalType.Boolean ? CoercionAction.TryConvert : CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.String, t == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.EmptyString, t == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail);
            }
            m.getFactory().setCharacterEscapes(new GoEscapes());
            return m;
        }

        /** Anything but a spec record, with the same Go layout when indented. */
        static byte[] write(Object value, String indent) {
            try {
                return indent == null ? MAPPER.writeValueAsBytes(value) : MAPPER.writer(goPrinter(indent)).writeValueAsBytes(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static DefaultPrettyPrinter goPrinter(String indent) {
            DefaultIndenter indenter = new DefaultIndenter(indent, "\n");
            Separators separators = Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator("");
            return new DefaultPrettyPrinter(separators).withObjectIndenter(indenter).withArrayIndenter(indenter);
        }

        static JsonNode readTree(byte[] json) throws IOException {
            return MAPPER.readTree(json);
        }

        static <T> T fromTree(JsonNode node, Class<T> type) throws JsonProcessingException {
            return MAPPER.treeToValue(node, type);
        }
    }

    /** The shared mapper; configure nothing on it (it is shared). */
    public static ObjectMapper mapper() {
        return Holder.MAPPER;
    }

    /**
     * Reads a document. There is deliberately no read from a {@code Path} here: files are read
     * by runtime-core's {@code BoundedFile}, which refuses FIFOs, devices and oversized files
     * (this module has no way to open a file without blocking on a FIFO). Spec record types go through the generated streaming codec (no
     * databind); a malformed or mistyped document throws {@link SpecFormatException} naming the
     * JSON pointer or line/column. Other types use {@link #mapper()}.
     */
    @SuppressWarnings("unchecked")
    public static <T> T read(byte[] json, Class<T> type) throws IOException {
        if (SpecCodec.handles(type)) {
            return (T) In.document(json, type);
        }
        return Holder.MAPPER.readValue(json, type);
    }

    /**
     * {@code process.terminal} of the config {@code json}: true or false when it is a boolean,
     * else null (absent, null, another type, or no {@code process} object), as the full parse
     * reads it (of a member given twice, the last). Scanned without building the spec: {@code
     * run} asks before {@code create} reads, parses and checks the whole file (a second full
     * parse was ~1 ms of every cold run). A syntax error throws {@link SpecFormatException}.
     */
    public static Boolean processTerminal(byte[] json) throws IOException {
        JsonScanner p = new JsonScanner(json);
        if (p.next() != JsonScanner.Token.START_OBJECT) {
            return null;
        }
        Boolean terminal = null;
        for (JsonScanner.Token t = p.next(); t == JsonScanner.Token.FIELD_NAME; t = p.next()) {
            boolean process = p.text().equalsIgnoreCase("process"); // as the codec binds it (In.folded)
            JsonScanner.Token v = p.next();
            if (!process) {
                p.skipChildren();
                continue;
            }
            terminal = null; // a later "process" replaces an earlier one
            if (v != JsonScanner.Token.START_OBJECT) {
                continue;
            }
            for (JsonScanner.Token u = p.next(); u == JsonScanner.Token.FIELD_NAME; u = p.next()) {
                boolean isTerminal = p.text().equalsIgnoreCase("terminal");
                JsonScanner.Token w = p.next();
                if (isTerminal) {
                    terminal = w == JsonScanner.Token.VALUE_TRUE ? Boolean.TRUE
                        : w == JsonScanner.Token.VALUE_FALSE ? Boolean.FALSE : null;
                }
                p.skipChildren();
            }
        }
        return terminal;
    }

    public static <T> T read(String json, Class<T> type) throws IOException {
        return read(json.getBytes(StandardCharsets.UTF_8), type);
    }

    /** Parses to a tree (for validation and diffing). */
    public static JsonNode readTree(byte[] json) throws IOException {
        return Holder.readTree(json);
    }

    /** Converts a tree to a record (no re-parsing). */
    public static <T> T fromTree(JsonNode node, Class<T> type) throws JsonProcessingException {
        return Holder.fromTree(node, type);
    }

    /** Compact JSON. */
    public static String write(Object value) {
        return writeIndented(value, null);
    }

    /** Compact JSON as UTF-8 bytes. */
    public static byte[] writeBytes(Object value) {
        if (value != null && SpecCodec.handles(value.getClass())) {
            return encode(value, null).getBytes(StandardCharsets.UTF_8);
        }
        return Holder.write(value, null);
    }

    /**
     * Indented JSON exactly as Go's {@code json.MarshalIndent(v, "", "\t")} writes it (what
     * {@code runc spec} produces): tab indent, {@code "key": value}, one array element per line,
     * {@code []}/{@code {}} when empty, no trailing newline.
     */
    public static String writePretty(Object value) {
        return writeIndented(value, "\t");
    }

    /**
     * Like {@link #writePretty} with another indent, e.g. two spaces as {@code runc state} uses;
     * {@code indent} null: compact.
     */
    public static String writeIndented(Object value, String indent) {
        if (value != null && SpecCodec.handles(value.getClass())) {
            return encode(value, indent);
        }
        return new String(Holder.write(value, indent), StandardCharsets.UTF_8);
    }

    /** A spec record through the generated codec; {@code indent} null for compact output. */
    private static String encode(Object value, String indent) {
        StringBuilder b = new StringBuilder(4096);
        try {
            SpecCodec.write(new Out(b, indent), value);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // Out writes to memory: not expected
        }
        return b.toString();
    }


    /**
     * Go's encoder escapes {@code < > &} and U+2028/U+2029 inside strings (HTML safety); doing the
     * same keeps our output byte-identical to runc's for the same document.
     */
    private static final class GoEscapes extends CharacterEscapes {
        private final int[] ascii;

        GoEscapes() {
            ascii = CharacterEscapes.standardAsciiEscapesForJSON();
            ascii['<'] = CharacterEscapes.ESCAPE_CUSTOM;
            ascii['>'] = CharacterEscapes.ESCAPE_CUSTOM;
            ascii['&'] = CharacterEscapes.ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return switch (ch) {
                case '<' -> new SerializedString("\\u003c");
                case '>' -> new SerializedString("\\u003e");
                case '&' -> new SerializedString("\\u0026");
                case 0x2028 -> new SerializedString("\\u2028");
                case 0x2029 -> new SerializedString("\\u2029");
                default -> null;
            };
        }
    }

    /** The tree form of a record, as it would be written. */
    public static JsonNode toTree(Object value) {
        return Holder.MAPPER.valueToTree(value);
    }
}
