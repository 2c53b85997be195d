package io.jrunc.spec;

import io.jrunc.spec.validate.Problem;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A config (or process/state document) that breaks the spec. Carries every problem found;
 * {@link #getMessage()} lists them one per line, each as {@code file: /json/pointer: reason}.
 */
public final class InvalidSpecException extends RuntimeException {

    private final String fileName;
    private final transient List<Problem> problems;

    public InvalidSpecException(String fileName, List<Problem> problems) {
        super(problems.stream().map(p -> p.format(fileName)).collect(Collectors.joining("\n")));
        this.fileName = fileName;
        this.problems = List.copyOf(problems);
    }

    public String fileName() {
        return fileName;
    }

    public List<Problem> problems() {
        return problems;
    }
}
