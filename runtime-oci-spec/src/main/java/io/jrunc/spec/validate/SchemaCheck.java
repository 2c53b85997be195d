package io.jrunc.spec.validate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.jrunc.spec.Json;
import org.slf4j.spi.SLF4JServiceProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * JSON Schema validation of config.json against our schema
 * ({@code io/jrunc/spec/schema/config-schema.json}, draft 2020-12), via networknt
 * json-schema-validator. Everything is built on first use (holder idiom): the lifecycle path
 * never touches this class unless asked to.
 */
final class SchemaCheck {

    static final String RESOURCE = "/io/jrunc/spec/schema/config-schema.json";

    private SchemaCheck() {
    }

    private static final class Holder {
        static final JsonSchema SCHEMA = load();

        private static JsonSchema load() {
            quietSlf4j();
            JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                    .pathType(PathType.JSON_POINTER)
                    .formatAssertionsEnabled(false)
                    .build();
            try (InputStream in = SchemaCheck.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + RESOURCE);
                }
                return factory.getSchema(in, config);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * The validator logs through SLF4J. With no SLF4J provider on the class path, SLF4J prints a
         * three-line warning to stderr, which would corrupt a CLI's error output; select the
         * no-op provider in that case only (an embedding application's logging stays untouched).
         */
        private static void quietSlf4j() {
            if (System.getProperty("slf4j.provider") == null
                    && ServiceLoader.load(SLF4JServiceProvider.class).findFirst().isEmpty()) {
                System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
                if (System.getProperty("slf4j.internal.verbosity") == null) {
                    System.setProperty("slf4j.internal.verbosity", "ERROR");
                }
            }
        }
    }

    /** The schema stage's result: its problems, or the one problem that stops validation. */
    record Outcome(List<Problem> problems, Problem fatal) {
    }

    /** The schema stage of {@link Validator#validate}: parses the document to a tree and checks it. */
    static Outcome check(byte[] json) {
        JsonNode tree;
        try {
            tree = Json.readTree(json);
        } catch (JsonProcessingException e) {
            return new Outcome(List.of(), Validator.parseProblem(e));
        } catch (IOException e) {
            return new Outcome(List.of(), new Problem(null, "cannot read: " + e.getMessage()));
        }
        if (tree == null || tree.isMissingNode()) {
            return new Outcome(List.of(), new Problem(null, "line 1, column 1: empty document"));
        }
        if (!tree.isObject()) {
            return new Outcome(List.of(), new Problem("", "must be a JSON object, got " + Validator.typeName(tree)));
        }
        return new Outcome(validate(tree), null);
    }

    static List<Problem> validate(JsonNode config) {
        List<Problem> out = new ArrayList<>();
        for (ValidationMessage m : Holder.SCHEMA.validate(config)) {
            out.add(toProblem(m, config));
        }
        return out;
    }

    private static Problem toProblem(ValidationMessage m, JsonNode config) {
        String ptr = m.getInstanceLocation() == null ? "" : m.getInstanceLocation().toString();
        String type = m.getType();
        if ("required".equals(type) && m.getProperty() != null) {
            return new Problem(ptr + "/" + Problem.escape(m.getProperty()), "is required");
        }
        if ("propertyNames".equals(type) && m.getProperty() != null) {
            // Reported on the object; point at the offending key instead.
            return new Problem(ptr + "/" + Problem.escape(m.getProperty()), "invalid name " + quoteJson(m.getProperty()));
        }
        JsonNode actual = config.at(ptr);
        return switch (type) {
            case "type" -> new Problem(ptr, "must be " + expectedType(m.getSchemaNode()) + ", got " + Validator.typeName(actual));
            case "enum" -> new Problem(ptr, "unknown value " + actual + (m.getSchemaNode() != null && m.getSchemaNode().size() <= 10
                    ? " (expected one of " + m.getSchemaNode() + ")" : ""));
            case "minimum" -> new Problem(ptr, "must be at least " + m.getSchemaNode() + ", got " + actual);
            case "maximum" -> new Problem(ptr, "must be at most " + m.getSchemaNode() + ", got " + actual);
            case "minItems" -> new Problem(ptr, "must have at least " + m.getSchemaNode() + " entr"
                    + ("1".equals(String.valueOf(m.getSchemaNode())) ? "y" : "ies"));
            case "pattern" -> new Problem(ptr, "invalid value " + actual + " (must match " + m.getSchemaNode() + ")");
            case "minLength" -> new Problem(ptr, "must not be empty");
            default -> new Problem(ptr, m.getError());
        };
    }

    private static String quoteJson(String s) {
        return com.fasterxml.jackson.databind.node.TextNode.valueOf(s).toString();
    }

    private static String expectedType(JsonNode typeKeyword) {
        if (typeKeyword == null) {
            return "of another type";
        }
        String t = typeKeyword.isArray() ? typeKeyword.get(0).asText() : typeKeyword.asText();
        return switch (t) {
            case "string" -> "a string";
            case "integer" -> "an integer";
            case "number" -> "a number";
            case "boolean" -> "a boolean";
            case "array" -> "an array";
            case "object" -> "an object";
            default -> t;
        };
    }
}
