package io.jrunc.spec.validate;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.jrunc.spec.InvalidSpecException;
import io.jrunc.spec.Json;
import io.jrunc.spec.Spec;
import io.jrunc.spec.SpecFormatException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Validates {@code config.json} documents and reports every problem at once.
 *
 * <table>
 *   <caption>Stages</caption>
 *   <tr><th>Stage</th><th>Finds</th><th>Cost</th></tr>
 *   <tr><td>parse</td><td>malformed JSON, reported as "line L, column C: reason" (stops here)</td><td>parse</td></tr>
 *   <tr><td>schema (optional)</td><td>types, required fields, ranges, closed value sets
 *       ({@code io/jrunc/spec/schema/config-schema.json})</td><td>schema load on first use</td></tr>
 *   <tr><td>bind</td><td>wrong JSON types (stops semantic checks; reported only if the schema did not
 *       already flag that value), via the streaming codec</td><td>parse</td></tr>
 *   <tr><td>semantic</td><td>{@link #semantic(Spec, ValidationOptions)}: cross-field and kernel rules</td><td>microseconds</td></tr>
 * </table>
 *
 * <p>Where the schema and a semantic rule flag the same JSON pointer, only the semantic message
 * (the more specific one) is kept. Problems come out in document order.
 */
public final class Validator {

    private Validator() {
    }

    /** Validates the raw bytes of a config. */
    public static ValidationReport validate(byte[] json, ValidationOptions options) {
        String file = options.fileName();
        List<Problem> schemaProblems = List.of();
        if (options.schema()) {
            // in SchemaCheck: a catch of a jackson exception here would load jackson (the
            // verifier resolves handler types) on create, which never asks for the schema
            SchemaCheck.Outcome schema = SchemaCheck.check(json);
            if (schema.fatal() != null) {
                return failed(file, schema.fatal());
            }
            schemaProblems = schema.problems();
        }
        Spec spec;
        try {
            spec = Json.read(json, Spec.class);
        } catch (SpecFormatException e) {
            Problem bind = formatProblem(e);
            if (bind.jsonPointer() == null) {
                return failed(file, bind);
            }
            List<Problem> all = new ArrayList<>(schemaProblems);
            if (all.stream().noneMatch(p -> related(p.jsonPointer(), bind.jsonPointer()))) {
                all.add(bind);
            }
            return new ValidationReport(file, sorted(all), List.of(), null);
        } catch (IOException e) {
            return failed(file, new Problem(null, "cannot read: " + e.getMessage()));
        }
        SemanticChecks checks = new SemanticChecks(options);
        checks.check(spec);
        return new ValidationReport(file, merge(schemaProblems, checks.problems), sorted(checks.warnings), spec);
    }

    private static ValidationReport failed(String file, Problem problem) {
        return new ValidationReport(file, List.of(problem), List.of(), null);
    }

    /** A codec error as a problem: pointer + reason, or "line L, column C: reason" for syntax. */
    static Problem formatProblem(SpecFormatException e) {
        if (e.jsonPointer() == null) {
            return new Problem(null, "line " + e.line() + ", column " + e.column() + ": " + e.reason());
        }
        return new Problem(e.jsonPointer(), e.reason());
    }

    /**
     * Validates a process document ({@code exec --process process.json}, the JSON form of
     * config.json's {@code process}); pointers are relative to that document, args are
     * required. The schema is not applied (it describes config.json). {@code spec()} of the
     * report is null; use {@link #requireValidProcess} to get the record.
     */
    public static ValidationReport validateProcess(byte[] json, ValidationOptions options) {
        return processDocument(json, options).report();
    }

    /** Validates a process document and returns it, or throws {@link InvalidSpecException}. */
    public static io.jrunc.spec.Process requireValidProcess(byte[] json, ValidationOptions options) {
        ProcessResult r = processDocument(json, options);
        r.report().orThrow();
        return r.process();
    }

    private record ProcessResult(ValidationReport report, io.jrunc.spec.Process process) {
    }

    private static ProcessResult processDocument(byte[] json, ValidationOptions options) {
        String file = options.fileName();
        io.jrunc.spec.Process process;
        try {
            process = Json.read(json, io.jrunc.spec.Process.class);
        } catch (SpecFormatException e) {
            return new ProcessResult(failed(file, formatProblem(e)), null);
        } catch (IOException e) {
            return new ProcessResult(failed(file, new Problem(null, "cannot read: " + e.getMessage())), null);
        }
        if (process != null && process.user() == null) {
            // runc's exec -p: a process without "user" runs as uid 0, gid 0
            process = process.withUser(new io.jrunc.spec.User(0L, 0L, null, null, null));
        }
        SemanticChecks checks = new SemanticChecks(options.withRequireProcess(true));
        checks.checkProcess(process);
        return new ProcessResult(new ValidationReport(file, sorted(checks.problems), sorted(checks.warnings), null), process);
    }

    /** Validates and returns the spec, or throws {@link InvalidSpecException} listing all problems. */
    public static Spec requireValid(byte[] json, ValidationOptions options) {
        return validate(json, options).orThrow();
    }

    /** The semantic checks alone, on an already bound spec (no schema, no parsing). */
    public static List<Problem> semantic(Spec spec, ValidationOptions options) {
        SemanticChecks checks = new SemanticChecks(options);
        checks.check(spec);
        return sorted(checks.problems);
    }

    /** {@link #semantic(Spec, ValidationOptions)} with {@link ValidationOptions#forCreate()}. */
    public static List<Problem> semantic(Spec spec) {
        return semantic(spec, ValidationOptions.forCreate());
    }

    /**
     * The checks of {@code linux.resources} alone, with pointers under {@code /linux/resources}:
     * for {@code update}, whose resources come without a config.json.
     */
    public static List<Problem> resources(io.jrunc.spec.LinuxResources resources) {
        SemanticChecks checks = new SemanticChecks(ValidationOptions.forCreate());
        ResourceRules.check(checks, resources);
        return sorted(checks.problems);
    }

    /**
     * A process's errors by config.md's rules (args, env, cwd, user, capabilities, rlimits, the
     * attributes), with pointers relative to the process: for the process an exec runs, which
     * an embedder or the CLI's options built (an exec -p document was validated whole).
     */
    public static List<Problem> process(io.jrunc.spec.Process process) {
        SemanticChecks checks = new SemanticChecks(ValidationOptions.forCreate());
        checks.checkProcess(process);
        return sorted(checks.problems);
    }

    /** The JSON Schema check alone (loads the schema validator on first call). */
    public static List<Problem> schema(JsonNode config) {
        return sorted(SchemaCheck.validate(config));
    }

    // ---- helpers -----------------------------------------------------------------------------

    static Problem parseProblem(JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        String reason = e.getOriginalMessage();
        // Jackson appends "(start marker at [Source...])"-style detail; the line/column say enough.
        int cut = reason.indexOf(" (start marker");
        if (cut > 0) {
            reason = reason.substring(0, cut);
        }
        reason = reason.replace('\n', ' ');
        if (loc == null) {
            return new Problem(null, reason);
        }
        return new Problem(null, "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": " + reason);
    }

    static String pointerOf(Collection<JsonMappingException.Reference> path) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : path) {
            b.append('/');
            if (r.getFieldName() != null) {
                b.append(Problem.escape(r.getFieldName()));
            } else {
                b.append(r.getIndex());
            }
        }
        return b.toString();
    }

    static String typeName(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        return switch (n.getNodeType()) {
            case STRING -> "string";
            case NUMBER -> n.isIntegralNumber() ? "integer " + n.asText() : "number " + n.asText();
            case BOOLEAN -> "boolean";
            case ARRAY -> "array";
            case OBJECT, POJO -> "object";
            case NULL -> "null";
            default -> n.getNodeType().toString().toLowerCase();
        };
    }

    /** True when one pointer is the other or contains it. */
    private static boolean related(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return a.equals(b) || a.startsWith(b + "/") || b.startsWith(a + "/");
    }

    private static List<Problem> merge(List<Problem> schema, List<Problem> semantic) {
        Set<String> semanticPointers = new HashSet<>();
        for (Problem p : semantic) {
            semanticPointers.add(p.jsonPointer());
        }
        List<Problem> all = new ArrayList<>(semantic);
        for (Problem p : schema) {
            if (!semanticPointers.contains(p.jsonPointer())) {
                all.add(p);
            }
        }
        return sorted(all);
    }

    /** Document-ish order: pointer tokens compared numerically where both are numbers. */
    static List<Problem> sorted(List<Problem> problems) {
        List<Problem> out = new ArrayList<>(problems);
        // a lambda of our own, not Comparator.comparing: the JDK's lambda inside it is not in
        // the CLI's AOT cache and cost every cold create a runtime-spun class
        out.sort((x, y) -> comparePointers(x.jsonPointer(), y.jsonPointer()));
        // Drop exact duplicates (same pointer and message) that two rules may produce.
        List<Problem> unique = new ArrayList<>();
        Set<Problem> seen = new HashSet<>();
        for (Problem p : out) {
            if (seen.add(p)) {
                unique.add(p);
            }
        }
        return unique;
    }

    private static int comparePointers(String a, String b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        String[] x = a.split("/", -1);
        String[] y = b.split("/", -1);
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c;
            if (x[i].matches("\\d+") && y[i].matches("\\d+")) {
                c = Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]));
            } else {
                c = x[i].compareTo(y[i]);
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }
}
