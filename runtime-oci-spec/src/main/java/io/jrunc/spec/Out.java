package io.jrunc.spec;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Streaming output for {@link SpecCodec}: null fields omitted, map keys sorted (as Go does). */
final class Out {

    final JsonGenerator g;

    Out(JsonGenerator g) {
        this.g = g;
    }

    void beginObject() throws IOException {
        g.writeStartObject();
    }

    void endObject() throws IOException {
        g.writeEndObject();
    }

    void name(String name) throws IOException {
        g.writeFieldName(name);
    }

    void string(String name, String v) throws IOException {
        if (v != null) {
            g.writeFieldName(name);
            g.writeString(v);
        }
    }

    void int64(String name, Long v) throws IOException {
        if (v != null) {
            g.writeFieldName(name);
            g.writeNumber(v);
        }
    }

    void int32(String name, Integer v) throws IOException {
        if (v != null) {
            g.writeFieldName(name);
            g.writeNumber(v);
        }
    }

    void uint64(String name, Long v) throws IOException {
        if (v != null) {
            g.writeFieldName(name);
            if (v >= 0) {
                g.writeNumber(v);
            } else {
                g.writeNumber(Long.toUnsignedString(v));
            }
        }
    }

    void bool(String name, Boolean v) throws IOException {
        if (v != null) {
            g.writeFieldName(name);
            g.writeBoolean(v);
        }
    }

    void nullValue() throws IOException {
        g.writeNull();
    }

    void beginArray(String name) throws IOException {
        g.writeFieldName(name);
        g.writeStartArray();
    }

    void endArray() throws IOException {
        g.writeEndArray();
    }

    void beginMap(String name) throws IOException {
        g.writeFieldName(name);
        g.writeStartObject();
    }

    void endMap() throws IOException {
        g.writeEndObject();
    }

    void stringList(String name, List<String> list) throws IOException {
        if (list == null) {
            return;
        }
        beginArray(name);
        for (String e : list) {
            g.writeString(e);
        }
        endArray();
    }

    void int64List(String name, List<Long> list) throws IOException {
        if (list == null) {
            return;
        }
        beginArray(name);
        for (Long e : list) {
            if (e == null) {
                g.writeNull();
            } else {
                g.writeNumber(e);
            }
        }
        endArray();
    }

    void stringMap(String name, Map<String, String> map) throws IOException {
        if (map == null) {
            return;
        }
        beginMap(name);
        for (Map.Entry<String, String> e : sorted(map).entrySet()) {
            g.writeFieldName(e.getKey());
            g.writeString(e.getValue());
        }
        endMap();
    }

    /** Entries in key order, as Go's encoder and Jackson's ORDER_MAP_ENTRIES_BY_KEYS write them. */
    static <T> Map<String, T> sorted(Map<String, T> map) {
        return map instanceof SortedMap<String, T> ? map : new TreeMap<>(map);
    }
}
