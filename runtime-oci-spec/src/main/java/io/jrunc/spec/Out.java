package io.jrunc.spec;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Streaming output for {@link SpecCodec}: null fields omitted, map keys sorted (as Go does),
 * written by hand into a StringBuilder (no JSON library: jackson-core's generator and its
 * factory cost a fresh JVM ~80 classes). Strings are escaped by {@link JsonText}.
 *
 * <p>Compact, or indented as Go's {@code json.MarshalIndent(v, "", indent)} writes it (what
 * jackson's pretty printer was configured to copy): a newline and the indent per level before
 * each member and element, {@code "key": value}, {@code []} and {@code {}} when empty, no
 * trailing newline. CodecGoldenTest holds the bytes to what the jackson-core writer produced.
 */
final class Out {

    private final StringBuilder b;
    /** Null for compact output. */
    private final String indent;
    /** Per open container: its entries so far, and whether it is an array. */
    private int[] counts = new int[16];
    private boolean[] arrays = new boolean[16];
    private int depth;

    Out(StringBuilder b, String indent) {
        this.b = b;
        this.indent = indent;
    }

    // ---- structure ---------------------------------------------------------------------------

    void beginObject() {
        beforeValue();
        open('{', false);
    }

    void endObject() {
        close('}');
    }

    void name(String name) {
        entry();
        JsonText.quote(b, name).append(indent == null ? ":" : ": ");
    }

    void beginArray(String name) {
        name(name);
        open('[', true);
    }

    void endArray() {
        close(']');
    }

    void beginMap(String name) {
        name(name);
        open('{', false);
    }

    void endMap() {
        close('}');
    }

    void nullValue() {
        beforeValue();
        b.append("null");
    }

    // ---- fields (omitted when null) ----------------------------------------------------------

    void string(String name, String v) {
        if (v != null) {
            name(name);
            JsonText.quote(b, v);
        }
    }

    void int64(String name, Long v) {
        if (v != null) {
            name(name);
            b.append(v.longValue());
        }
    }

    void int32(String name, Integer v) {
        if (v != null) {
            name(name);
            b.append(v.intValue());
        }
    }

    /** A Go uint64 held in a long's bit pattern (see {@link Unsigned64}): written unsigned. */
    void uint64(String name, Long v) {
        if (v != null) {
            name(name);
            long x = v;
            if (x >= 0) {
                b.append(x);
            } else {
                b.append(Long.toUnsignedString(x));
            }
        }
    }

    void bool(String name, Boolean v) {
        if (v != null) {
            name(name);
            b.append(v.booleanValue());
        }
    }

    void stringList(String name, List<String> list) {
        if (list == null) {
            return;
        }
        beginArray(name);
        for (String e : list) {
            beforeValue();
            stringValue(e);
        }
        endArray();
    }

    void int64List(String name, List<Long> list) {
        if (list == null) {
            return;
        }
        beginArray(name);
        for (Long e : list) {
            beforeValue();
            if (e == null) {
                b.append("null");
            } else {
                b.append(e.longValue());
            }
        }
        endArray();
    }

    void stringMap(String name, Map<String, String> map) {
        if (map == null) {
            return;
        }
        beginMap(name);
        for (Map.Entry<String, String> e : sorted(map).entrySet()) {
            name(e.getKey());
            stringValue(e.getValue());
        }
        endMap();
    }

    /** Entries in key order, as Go's encoder and Jackson's ORDER_MAP_ENTRIES_BY_KEYS write them. */
    static <T> Map<String, T> sorted(Map<String, T> map) {
        return map instanceof SortedMap<String, T> ? map : new TreeMap<>(map);
    }

    // ---- layout ------------------------------------------------------------------------------

    private void stringValue(String s) {
        if (s == null) {
            b.append("null");
        } else {
            JsonText.quote(b, s);
        }
    }

    private void open(char c, boolean array) {
        if (depth == counts.length) {
            counts = Arrays.copyOf(counts, depth * 2);
            arrays = Arrays.copyOf(arrays, depth * 2);
        }
        counts[depth] = 0;
        arrays[depth] = array;
        depth++;
        b.append(c);
    }

    private void close(char c) {
        depth--;
        if (counts[depth] > 0) {
            newline(depth);
        }
        b.append(c);
    }

    /** A value in an array is an entry of its own; in an object its name came first. */
    private void beforeValue() {
        if (depth > 0 && arrays[depth - 1]) {
            entry();
        }
    }

    /** The comma before all but the first entry, then the line break and indent. */
    private void entry() {
        if (counts[depth - 1]++ > 0) {
            b.append(',');
        }
        newline(depth);
    }

    private void newline(int level) {
        if (indent != null) {
            b.append('\n');
            for (int i = 0; i < level; i++) {
                b.append(indent);
            }
        }
    }
}
