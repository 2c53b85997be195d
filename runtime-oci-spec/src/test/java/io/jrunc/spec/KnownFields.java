package io.jrunc.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test helper: removes from a JSON tree every field the records do not model. */
final class KnownFields {

    private KnownFields() {
    }

    static JsonNode prune(JsonNode node, Type type) {
        JsonNode copy = node.deepCopy();
        walk(copy, type);
        return copy;
    }

    private static void walk(JsonNode node, Type type) {
        if (node == null || node.isNull()) {
            return;
        }
        if (type instanceof ParameterizedType pt) {
            Type raw = pt.getRawType();
            if (raw == List.class && node.isArray()) {
                for (JsonNode item : (ArrayNode) node) {
                    walk(item, pt.getActualTypeArguments()[0]);
                }
            } else if (raw == Map.class && node.isObject()) {
                for (JsonNode value : (Iterable<JsonNode>) node::elements) {
                    walk(value, pt.getActualTypeArguments()[1]);
                }
            }
            return;
        }
        if (type instanceof Class<?> c && c.isRecord() && node.isObject()) {
            ObjectNode obj = (ObjectNode) node;
            List<String> known = new ArrayList<>();
            for (RecordComponent rc : c.getRecordComponents()) {
                JsonProperty jp = rc.getAnnotation(JsonProperty.class);
                String name = jp != null ? jp.value() : rc.getName();
                known.add(name);
                walk(obj.get(name), rc.getGenericType());
            }
            obj.retain(known);
        }
    }
}
