package io.jrunc.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
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
import java.nio.file.Files;
import java.nio.file.Path;

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
 * <p>The mapper is built on first use (holder idiom) so that code paths which never parse JSON
 * pay nothing. Read methods throw {@link IOException} subclasses from Jackson
 * ({@code JsonProcessingException} carries line and column).
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
            return m;
        }
    }

    /** The shared mapper; configure nothing on it (it is shared). */
    public static ObjectMapper mapper() {
        return Holder.MAPPER;
    }

    /** Reads {@code config.json} at {@code path}. */
    public static Spec readSpec(Path path) throws IOException {
        return read(path, Spec.class);
    }

    public static <T> T read(Path path, Class<T> type) throws IOException {
        return read(Files.readAllBytes(path), type);
    }

    public static <T> T read(byte[] json, Class<T> type) throws IOException {
        return Holder.MAPPER.readValue(json, type);
    }

    public static <T> T read(String json, Class<T> type) throws IOException {
        return Holder.MAPPER.readValue(json, type);
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
        try {
            return Holder.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compact JSON as UTF-8 bytes. */
    public static byte[] writeBytes(Object value) {
        try {
            return Holder.MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Indented JSON (two spaces, like {@code runc spec}'s tabs but portable), trailing newline. */
    public static String writePretty(Object value) {
        try {
            return Holder.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tree form of a record, as it would be written. */
    public static JsonNode toTree(Object value) {
        return Holder.MAPPER.valueToTree(value);
    }
}
