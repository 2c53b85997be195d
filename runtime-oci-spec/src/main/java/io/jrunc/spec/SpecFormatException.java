package io.jrunc.spec;

import java.io.IOException;

/**
 * A document that is not valid JSON, or whose JSON types do not fit the spec (a string where a
 * number belongs, a number out of range). Either {@link #jsonPointer()} names the value, or it
 * is null and {@link #line()}/{@link #column()} locate the syntax error.
 */
public final class SpecFormatException extends IOException {

    private final String jsonPointer;
    private final int line;
    private final int column;
    private final String reason;

    public SpecFormatException(String jsonPointer, int line, int column, String reason) {
        super(jsonPointer != null
                ? (jsonPointer.isEmpty() ? "/" : jsonPointer) + ": " + reason
                : "line " + line + ", column " + column + ": " + reason);
        this.jsonPointer = jsonPointer;
        this.line = line;
        this.column = column;
        this.reason = reason;
    }

    /** RFC 6901 pointer to the offending value; null for syntax errors. */
    public String jsonPointer() {
        return jsonPointer;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** The reason alone, without location. */
    public String reason() {
        return reason;
    }
}
