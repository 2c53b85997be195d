package io.jrunc.spec;

import io.jrunc.spec.JsonScanner.Token;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Streaming input for {@link SpecCodec}: typed reads of the current value with the JSON pointer
 * of that value tracked, so a type error names where it is. The scanner always sits on the value
 * being read; readers leave it on that value's last token. Syntax errors come from
 * {@link JsonScanner} as {@link SpecFormatException}s with a line and column.
 */
final class In {

    private final JsonScanner p;
    /** Path of the current value: String field names and Integer indexes. */
    private final ArrayList<Object> path = new ArrayList<>();

    private In(JsonScanner p) {
        this.p = p;
    }

    /** Reads one whole document (UTF-8) of the given root type. */
    static Object document(byte[] json, Class<?> type) throws IOException {
        JsonScanner p = new JsonScanner(json);
        In in = new In(p);
        if (p.next() == null) {
            throw new SpecFormatException(null, 1, 1, "empty document");
        }
        Object value = SpecCodec.read(type, in);
        if (value == null) {
            throw in.error("must be a JSON object, got null");
        }
        if (p.next() != null) {
            throw in.syntax("unexpected content after the top-level value");
        }
        return value;
    }

    // ---- structure ---------------------------------------------------------------------------

    /** Enters the current object; false (and nothing entered) when the value is null. */
    boolean beginObject() throws IOException {
        Token t = p.current();
        if (t == Token.VALUE_NULL) {
            return false;
        }
        if (t != Token.START_OBJECT) {
            throw type(path.isEmpty() ? "a JSON object" : "an object");
        }
        path.add(null);
        return true;
    }

    /** Moves to the next field's value and returns its name, or leaves the object and returns null. */
    String nextField() throws IOException {
        Token t = p.next();
        if (t == Token.END_OBJECT) {
            path.removeLast();
            return null;
        }
        String name = p.text();
        path.set(path.size() - 1, name);
        p.next();
        return name;
    }

    /**
     * The field name among {@code names} that {@code key} matches case-insensitively, or "" for
     * none: Go's encoding/json, and so runc, binds a key that matches no field exactly to a field
     * whose name it equals but for case ({@code "pagesize"} sets {@code pageSize}); the generated
     * readers ask this only for a key that matched none exactly.
     */
    static String folded(String key, String... names) {
        for (String n : names) {
            if (n.equalsIgnoreCase(key)) {
                return n;
            }
        }
        return "";
    }

    /** Skips the current value (an unknown field: the spec says to ignore it). */
    void skip() throws IOException {
        p.skipChildren();
    }

    /** Enters the current array; false when the value is null. */
    boolean beginArray() throws IOException {
        Token t = p.current();
        if (t == Token.VALUE_NULL) {
            return false;
        }
        if (t != Token.START_ARRAY) {
            throw type("an array");
        }
        path.add(-1);
        return true;
    }

    /** Moves to the next element, or leaves the array and returns false. */
    boolean nextElement() throws IOException {
        if (p.next() == Token.END_ARRAY) {
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
        if (p.current() == Token.VALUE_STRING) {
            return List.of(p.text());
        }
        return stringList();
    }

    // ---- scalars -----------------------------------------------------------------------------

    String string() throws IOException {
        return switch (p.current()) {
            case VALUE_NULL -> null;
            case VALUE_STRING -> p.text();
            default -> throw type("a string");
        };
    }

    Boolean bool() throws IOException {
        return switch (p.current()) {
            case VALUE_NULL -> null;
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            default -> throw type("a boolean");
        };
    }

    Long int64() throws IOException {
        Token t = p.current();
        if (t == Token.VALUE_NULL) {
            return null;
        }
        if (t != Token.VALUE_NUMBER_INT) {
            throw type("an integer");
        }
        if (p.isBigInteger()) {
            throw error("must be a 64-bit integer, got " + p.text());
        }
        return p.longValue();
    }

    Integer int32() throws IOException {
        Token t = p.current();
        if (t == Token.VALUE_NULL) {
            return null;
        }
        if (t != Token.VALUE_NUMBER_INT) {
            throw type("an integer");
        }
        if (p.isBigInteger() || p.longValue() != (int) p.longValue()) {
            throw error("must be a 32-bit integer (-2147483648 to 2147483647), got " + p.text());
        }
        return (int) p.longValue();
    }

    /** A Go uint64 into the same 64-bit pattern (see {@link Unsigned64}). */
    Long uint64() throws IOException {
        Token t = p.current();
        if (t == Token.VALUE_NULL) {
            return null;
        }
        if (t != Token.VALUE_NUMBER_INT) {
            throw type("an integer");
        }
        if (!p.isBigInteger()) {
            long v = p.longValue();
            if (v >= 0) {
                return v;
            }
        } else if (p.text().charAt(0) != '-' && p.text().length() <= 20) {
            // above Long.MAX_VALUE: up to 2^64-1 is the same bit pattern, as Go's uint64 holds it
            try {
                return Long.parseUnsignedLong(p.text());
            } catch (NumberFormatException tooBig) {
                // out of range, reported below
            }
        }
        throw error("must be an unsigned 64-bit integer (0 to 18446744073709551615), got " + p.text());
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
        return new SpecFormatException(pointer(), p.tokenLine(), p.tokenColumn(), reason);
    }

    private SpecFormatException syntax(String reason) {
        return new SpecFormatException(null, p.tokenLine(), p.tokenColumn(), reason);
    }

    private SpecFormatException type(String expected) throws IOException {
        return error("must be " + expected + ", got " + describe());
    }

    private String describe() throws IOException {
        return switch (p.current()) {
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT -> "integer " + p.text();
            case VALUE_NUMBER_FLOAT -> "number " + p.text();
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case START_ARRAY -> "array";
            case START_OBJECT -> "object";
            case VALUE_NULL -> "null";
            default -> String.valueOf(p.current());
        };
    }
}
