package io.jrunc.spec.validate;

/**
 * One thing wrong with a document.
 *
 * @param jsonPointer RFC 6901 pointer to the offending value ({@code ""} is the whole document),
 *                    or {@code null} when the document could not be parsed (the message then
 *                    starts with "line L, column C")
 * @param message     why, in lower case, without a trailing period
 */
public record Problem(String jsonPointer, String message) {

    /** {@code file: /pointer: message}, or {@code file: message} for parse errors. */
    public String format(String fileName) {
        if (jsonPointer == null) {
            return fileName + ": " + message;
        }
        return fileName + ": " + (jsonPointer.isEmpty() ? "/" : jsonPointer) + ": " + message;
    }

    @Override
    public String toString() {
        return format("config.json");
    }

    /** Escapes one reference token (RFC 6901: "~" as "~0", "/" as "~1"). */
    public static String escape(String token) {
        if (token.indexOf('~') < 0 && token.indexOf('/') < 0) {
            return token;
        }
        return token.replace("~", "~0").replace("/", "~1");
    }
}
