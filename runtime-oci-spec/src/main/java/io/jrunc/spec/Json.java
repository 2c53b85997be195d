package io.jrunc.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
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

import java.io.ByteArrayOutputStream;
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
 *   <tr><td>null components omitted on write</td><td>matches Go's {@code omitempty}; features.md: null is "unknown", not false</td></tr>
 *   <tr><td>record components in declaration order, map keys sorted</td><td>stable output; Go's encoder also sorts map keys</td></tr>
 *   <tr><td>no scalar coercion (number to string, string to boolean, float to int)</td><td>a wrong type is an error, as in Go's decoder</td></tr>
 * </table>
 *
 * <p>Spec records (Spec, Process, State, Features and their parts) are read and written by the
 * generated {@code SpecCodec} over jackson-core streaming, which applies the same rules without
 * databind's reflective start-up (a fresh JVM reads config.json in a few ms instead of hundreds);
 * SpecCodecTest holds the two paths equal. The databind mapper is built only on first use
 * (holder idiom): for trees, schema validation and non-record types.
 */
public final class Json {

    private Json() {
    }

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
            try (JsonParser p = Factory.FACTORY.createParser(json)) {
                return (T) In.document(p, type);
            }
        }
        return Holder.MAPPER.readValue(json, type);
    }

    public static <T> T read(String json, Class<T> type) throws IOException {
        return read(json.getBytes(StandardCharsets.UTF_8), type);
    }

    /** Parses to a tree (for validation and diffing). */
    public static JsonNode readTree(byte[] json) throws IOException {
        return Holder.MAPPER.readTree(json);
    }

    /** Converts a tree to a record (no re-parsing). */
    public static <T> T fromTree(JsonNode node, Class<T> type) throws JsonProcessingException {
        return Holder.MAPPER.treeToValue(node, type);
    }

    /** Compact JSON. */
    public static String write(Object value) {
        return new String(writeBytes(value), StandardCharsets.UTF_8);
    }

    /** Compact JSON as UTF-8 bytes. */
    public static byte[] writeBytes(Object value) {
        return encode(value, null);
    }

    /**
     * Indented JSON exactly as Go's {@code json.MarshalIndent(v, "", "\t")} writes it (what
     * {@code runc spec} produces): tab indent, {@code "key": value}, one array element per line,
     * {@code []}/{@code {}} when empty, no trailing newline.
     */
    public static String writePretty(Object value) {
        return writeIndented(value, "\t");
    }

    /** Like {@link #writePretty} with another indent, e.g. two spaces as {@code runc state} uses. */
    public static String writeIndented(Object value, String indent) {
        return new String(encode(value, goPrinter(indent)), StandardCharsets.UTF_8);
    }

    /** Spec records through the generated codec, anything else through the mapper. */
    private static byte[] encode(Object value, DefaultPrettyPrinter printer) {
        try {
            if (value == null || !SpecCodec.handles(value.getClass())) {
                return printer == null ? Holder.MAPPER.writeValueAsBytes(value)
                        : Holder.MAPPER.writer(printer).writeValueAsBytes(value);
            }
            ByteArrayOutputStream buf = new ByteArrayOutputStream(4096);
            try (JsonGenerator g = Factory.FACTORY.createGenerator(buf)) {
                if (printer != null) {
                    g.setPrettyPrinter(printer);
                }
                SpecCodec.write(new Out(g), value);
            }
            return buf.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** jackson-core only: what the codec needs, without databind's start-up cost. */
    private static final class Factory {
        static final JsonFactory FACTORY = new JsonFactory().setCharacterEscapes(new GoEscapes());
    }

    private static DefaultPrettyPrinter goPrinter(String indent) {
        DefaultIndenter indenter = new DefaultIndenter(indent, "\n");
        Separators separators = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator("");
        return new DefaultPrettyPrinter(separators).withObjectIndenter(indenter).withArrayIndenter(indenter);
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
