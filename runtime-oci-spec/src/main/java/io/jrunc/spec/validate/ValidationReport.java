package io.jrunc.spec.validate;

import io.jrunc.spec.InvalidSpecException;
import io.jrunc.spec.Spec;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The outcome of {@link Validator#validate}: every problem at once, plus warnings (deprecated or
 * ignored-by-spec constructs that do not make the config invalid) and the parsed spec when the
 * document could be bound at all.
 */
public record ValidationReport(String fileName, List<Problem> problems, List<Problem> warnings, Spec spec) {

    public ValidationReport {
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    /** The problems, one per line, {@code file: /pointer: message}. Empty string when ok. */
    public String format() {
        return problems.stream().map(p -> p.format(fileName)).collect(Collectors.joining("\n"));
    }

    /** Returns the spec, or throws {@link InvalidSpecException} listing every problem. */
    public Spec orThrow() {
        if (!ok()) {
            throw new InvalidSpecException(fileName, problems);
        }
        return spec;
    }
}
