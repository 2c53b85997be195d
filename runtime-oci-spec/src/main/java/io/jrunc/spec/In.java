package io.jrunc.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Streaming input for {@link SpecCodec}: typed reads of the current value with the JSON pointer
 * of that value tracked, so a type error names where it is. The parser always sits on the value
 * being read; readers leave it on that value's last token.
 */
final class In {

    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private final JsonParser p;
    /** Path of the current value: String field names and Integer indexes. */
    private final ArrayList<Object> path = new ArrayList<>();

    private In(JsonParser p) {
        this.p = p;
    }

    /** Reads one whole document of the given root type. */
    static Object document(JsonParser p, Class<?> type) throws IOException {
        In in = new In(p);
        try {
            if (p.nextToken() == null) {
                throw new SpecFormatException(null, 1, 1, "empty document");
            }
            Object value = SpecCodec.read(type, in);
            if (value == null) {
                throw in.error("must be a JSON object, got null");
            }
            if (p.nextToken() != null) {
                throw in.syntax("unexpected content after the top-level value");
            }
            return value;
        } catch (StreamReadException e) {
            JsonLocation loc = e.getLocation();
            String reason = e.getOriginalMessage();
            int cut = reason.indexOf(" (start marker");
            if (cut > 0) {
                reason = reason.substring(0, cut);
            }
            throw new SpecFormatException(null, loc == null ? 0 : loc.getLineNr(), loc == null ? 0 : loc.getColumnNr(),
                    reason.replace('\n', ' '));
        }
    }

    // ---- structure ---------------------------------------------------------------------------

    /** Enters the current object; false (and nothing entered) when the value is null. */
    boolean beginObject() throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return false;
        }
        if (t != JsonToken.START_OBJECT) {
            throw type(path.isEmpty() ? "a JSON object" : "an object");
        }
        path.add(null);
        return true;
    }

    /** Moves to the next field's value and returns its name, or leaves the object and returns null. */
    String nextField() throws IOException {
        JsonToken t = p.nextToken();
        if (t == JsonToken.END_OBJECT) {
            path.removeLast();
            return null;
        }
        String name = p.currentName();
        path.set(path.size() - 1, name);
        p.nextToken();
        return name;
    }

    /** Skips the current value (an unknown field: the spec says to ignore it). */
    void skip() throws IOException {
        p.skipChildren();
    }

    /** Enters the current array; false when the value is null. */
    boolean beginArray() throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return false;
        }
        if (t != JsonToken.START_ARRAY) {
            throw type("an array");
        }
        path.add(-1);
        return true;
    }

    /** Moves to the next element, or leaves the array and returns false. */
    boolean nextElement() throws IOException {
        if (p.nextToken() == JsonToken.END_ARRAY) {
            path.removeLast();
            return false;
        }
        path.set(path.size() - 1, (Integer) path.getLast() + 1);
        return true;
    }

    /** Enters the current object as a map; false when the value is null. */
    boolean beginMap() throws IOException {
        return beginObject();
    }

    /** Moves to the next entry's value and returns its key, or leaves the map and returns null. */
    String nextKey() throws IOException {
        return nextField();
    }

    List<String> stringList() throws IOException {
        if (!beginArray()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        while (nextElement()) {
            out.add(string());
        }
        return Collections.unmodifiableList(out);
    }

    List<Long> int64List() throws IOException {
        if (!beginArray()) {
            return null;
        }
        List<Long> out = new ArrayList<>();
        while (nextElement()) {
            out.add(int64());
        }
        return Collections.unmodifiableList(out);
    }

    Map<String, String> stringMap() throws IOException {
        if (!beginMap()) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String k = nextKey(); k != null; k = nextKey()) {
            out.put(k, string());
        }
        return Collections.unmodifiableMap(out);
    }

    /** A string list that older documents may give as a single string (intelRdt.schemata before 1.3). */
    List<String> stringListOrString() throws IOException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return List.of(p.getText());
        }
        return stringList();
    }

    // ---- scalars -----------------------------------------------------------------------------

    String string() throws IOException {
        return switch (p.currentToken()) {
            case VALUE_NULL -> null;
            case VALUE_STRING -> p.getText();
            default -> throw type("a string");
        };
    }

    Boolean bool() throws IOException {
        return switch (p.currentToken()) {
            case VALUE_NULL -> null;
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            default -> throw type("a boolean");
        };
    }

    Long int64() throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw type("an integer");
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw error("must be a 64-bit integer, got " + p.getText());
        }
        return p.getLongValue();
    }

    Integer int32() throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw type("an integer");
        }
        if (p.getNumberType() != JsonParser.NumberType.INT) {
            throw error("must be a 32-bit integer (-2147483648 to 2147483647), got " + p.getText());
        }
        return p.getIntValue();
    }

    /** A Go uint64 into the same 64-bit pattern (see {@link Unsigned64}). */
    Long uint64() throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw type("an integer");
        }
        if (p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            long v = p.getLongValue();
            if (v >= 0) {
                return v;
            }
        } else {
            BigInteger big = p.getBigIntegerValue();
            if (big.signum() >= 0 && big.compareTo(UINT64_MAX) <= 0) {
                return big.longValue();
            }
        }
        throw error("must be an unsigned 64-bit integer (0 to 18446744073709551615), got " + p.getText());
    }

    // ---- errors ------------------------------------------------------------------------------

    private String pointer() {
        StringBuilder b = new StringBuilder();
        for (Object o : path) {
            if (o == null || (o instanceof Integer i && i < 0)) {
                break;
            }
            b.append('/');
            b.append(o instanceof String s ? escape(s) : o.toString());
        }
        return b.toString();
    }

    private static String escape(String token) {
        if (token.indexOf('~') < 0 && token.indexOf('/') < 0) {
            return token;
        }
        return token.replace("~", "~0").replace("/", "~1");
    }

    private SpecFormatException error(String reason) {
        JsonLocation loc = p.currentTokenLocation();
        return new SpecFormatException(pointer(), loc.getLineNr(), loc.getColumnNr(), reason);
    }

    private SpecFormatException syntax(String reason) {
        JsonLocation loc = p.currentTokenLocation();
        return new SpecFormatException(null, loc.getLineNr(), loc.getColumnNr(), reason);
    }

    private SpecFormatException type(String expected) throws IOException {
        return error("must be " + expected + ", got " + describe());
    }

    private String describe() throws IOException {
        return switch (p.currentToken()) {
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT -> "integer " + p.getText();
            case VALUE_NUMBER_FLOAT -> "number " + p.getText();
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case START_ARRAY -> "array";
            case START_OBJECT -> "object";
            case VALUE_NULL -> "null";
            default -> String.valueOf(p.currentToken());
        };
    }
}
