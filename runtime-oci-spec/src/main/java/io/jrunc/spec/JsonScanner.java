package io.jrunc.spec;

import java.nio.charset.StandardCharsets;

/**
 * A strict, bounded JSON tokenizer over UTF-8 bytes, for the spec codec ({@link In}): RFC 8259
 * and nothing more (no comments, no trailing commas, no {@code NaN}/{@code Infinity}, no
 * leading zeros or plus signs, no control characters in strings, valid UTF-8 only: no overlong
 * forms, no encoded surrogates, nothing above U+10FFFF). A UTF-8 byte order mark is skipped,
 * as RFC 8259 allows. A repeated name in an object is not an error here: the codec keeps the
 * last value, as Go's decoder does.
 *
 * <p>It replaces jackson-core's parser on the hot paths (create, run, exec, spec): initialising
 * that parser (BigDecimal and friends, ~80 classes) cost each fresh JVM 10-20 ms of CPU. Its
 * error wording, lines and columns are jackson-core's (engines and tests match on them):
 * columns count bytes from the start of the line, 1-based, CR, LF and CRLF end a line; an
 * unexpected character is located at its last byte, an end of input one past the last byte,
 * a bad UTF-8 byte one past itself. CodecGoldenTest holds it to the recorded jackson results.
 *
 * <p>Bounded: nesting deeper than {@link #MAX_DEPTH} and numbers longer than
 * {@link #MAX_NUMBER_LENGTH} characters are errors; the input is the caller's array, itself
 * read under a size limit. It never recurses. A string value is read only when asked for or
 * when the next token is (as jackson did), so a string where an array belongs is a type error
 * even if the string itself is malformed.
 */
final class JsonScanner {

    /** Deepest nesting of objects and arrays (jackson-core's default limit). */
    static final int MAX_DEPTH = 1000;
    /** Longest number literal, in characters (jackson-core's default limit). */
    static final int MAX_NUMBER_LENGTH = 1000;

    /** The token kinds, named as jackson's (an end-of-input message names the last one). */
    enum Token {
        START_OBJECT, END_OBJECT, START_ARRAY, END_ARRAY, FIELD_NAME, VALUE_STRING, VALUE_NUMBER_INT,
        VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE, VALUE_NULL
    }

    private static final String VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

    /** Per open container: just opened, a name and colon read (value next), after a value. */
    private static final byte OPENED = 0;
    private static final byte AFTER_NAME = 1;
    private static final byte AFTER_VALUE = 2;

    private final byte[] in;
    private int pos;
    private int line = 1;
    /** Index of the first byte of the current line (columns count from it). */
    private int lineStart;

    private boolean[] object = new boolean[16];
    private byte[] state = new byte[16];
    private int[] openLine = new int[16];
    private int[] openColumn = new int[16];
    private int depth;

    private Token current;
    private int tokenLine;
    private int tokenColumn;
    /** Name, decoded string or number literal of the current token. */
    private String text;
    /** The current token is a string whose contents are not read yet ({@link #pos} is after its quote). */
    private boolean stringPending;
    private long longValue;
    private boolean bigInteger;
    private final StringBuilder sb = new StringBuilder();

    JsonScanner(byte[] utf8) {
        in = utf8;
        if (in.length >= 3 && (in[0] & 0xff) == 0xEF && (in[1] & 0xff) == 0xBB && (in[2] & 0xff) == 0xBF) {
            pos = 3; // the mark still counts in the first line's columns, as in jackson
        }
    }

    Token current() {
        return current;
    }

    int tokenLine() {
        return tokenLine;
    }

    int tokenColumn() {
        return tokenColumn;
    }

    /** The text of the current name, string or number. */
    String text() throws SpecFormatException {
        if (stringPending) {
            stringPending = false;
            text = string(true, false);
        }
        return text;
    }

    /** The current integer's value; meaningful only when {@link #isBigInteger()} is false. */
    long longValue() {
        return longValue;
    }

    /** The current integer does not fit a long. */
    boolean isBigInteger() {
        return bigInteger;
    }

    /** The next token, or null at the end of the input after the top-level value(s). */
    Token next() throws SpecFormatException {
        if (stringPending) {
            stringPending = false;
            string(false, false);
        }
        if (depth == 0) {
            int c = skipSpaceOrEnd();
            if (c < 0) {
                return current = null;
            }
            if (c == '}' || c == ']') {
                throw unexpectedClose(c);
            }
            return current = value(c, true);
        }
        int d = depth - 1;
        if (object[d]) {
            if (state[d] == AFTER_NAME) {
                state[d] = AFTER_VALUE;
                return current = value(in[pos] & 0xff, false);
            }
            int c = skipSpaceOrEnd();
            if (c < 0) {
                throw endOfInput("Unexpected end-of-input: expected close marker for Object");
            }
            if (c == '}' || c == ']') {
                return current = close(c);
            }
            if (state[d] == AFTER_VALUE) {
                if (c != ',') {
                    throw unexpected("was expecting comma to separate Object entries");
                }
                pos++;
                c = skipSpace("Object");
            }
            return current = name(c, d);
        }
        int c = skipSpaceOrEnd();
        if (c < 0) {
            throw endOfInput("Unexpected end-of-input: expected close marker for Array");
        }
        if (c == '}' || c == ']') {
            return current = close(c);
        }
        if (state[d] == AFTER_VALUE) {
            if (c != ',') {
                throw unexpected("was expecting comma to separate Array entries");
            }
            pos++;
            c = skipSpace("Array");
        }
        state[d] = AFTER_VALUE;
        return current = value(c, false);
    }

    /** On a start token: reads up to and including its end token. Otherwise nothing. */
    void skipChildren() throws SpecFormatException {
        if (current != Token.START_OBJECT && current != Token.START_ARRAY) {
            return;
        }
        int outer = depth - 1;
        while (depth > outer) {
            next();
        }
    }

    // ---- structure ---------------------------------------------------------------------------

    private Token close(int c) throws SpecFormatException {
        int d = depth - 1;
        if ((c == '}') != object[d]) {
            throw error("Unexpected close marker '" + (char) c + "': expected '" + (object[d] ? '}' : ']') + "' (for "
                    + (object[d] ? "Object" : "Array") + " starting at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION`"
                    + " disabled); line: " + openLine[d] + ", column: " + openColumn[d] + "])", column(pos));
        }
        markToken();
        pos++;
        depth--;
        return c == '}' ? Token.END_OBJECT : Token.END_ARRAY;
    }

    private SpecFormatException unexpectedClose(int c) {
        return error("Unexpected close marker '" + (char) c + "': no open " + (c == '}' ? "Object" : "Array") + " to close",
                column(pos));
    }

    /** A member's name, the colon and the space after it; the value is read by the next call. */
    private Token name(int c, int d) throws SpecFormatException {
        if (c != '"') {
            throw unexpected("was expecting double-quote to start field name");
        }
        markToken();
        pos++;
        text = string(true, true);
        c = skipSpace("Object");
        if (c != ':') {
            throw unexpected("was expecting a colon to separate field name and value");
        }
        pos++;
        skipSpace("Object");
        state[d] = AFTER_NAME;
        return Token.FIELD_NAME;
    }

    /** The value starting with {@code c} at {@link #pos}. */
    private Token value(int c, boolean root) throws SpecFormatException {
        markToken();
        switch (c) {
            case '{', '[' -> {
                open(c == '{');
                return c == '{' ? Token.START_OBJECT : Token.START_ARRAY;
            }
            case '"' -> {
                pos++;
                stringPending = true;
                return Token.VALUE_STRING;
            }
            case 't' -> {
                literal("true");
                return Token.VALUE_TRUE;
            }
            case 'f' -> {
                literal("false");
                return Token.VALUE_FALSE;
            }
            case 'n' -> {
                literal("null");
                return Token.VALUE_NULL;
            }
            case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> {
                return number(root);
            }
            case ']' -> {
                if (depth > 0 && !object[depth - 1]) {
                    throw unexpected("expected a value");
                }
            }
            case ',', '}' -> throw unexpected("expected a value");
            case 'N' -> nonStandard("NaN");
            case 'I' -> nonStandard("Infinity");
            case '+' -> {
                if (startsWith("+Infinity")) {
                    nonStandard("+Infinity");
                }
                pos++;
                throw error("Unexpected character ('+' (code 43)) in numeric value: JSON spec does not allow numbers to have"
                        + " plus signs: enable `JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS` to allow", column(pos));
            }
            default -> {
            }
        }
        if (c >= 0x80 && !Character.isJavaIdentifierStart((char) c)) {
            // a byte that starts no character (or a C1 control): named as the byte, as jackson does
            throw error("Unexpected character (" + describe(c) + "): expected a valid value " + VALUES, column(pos));
        }
        int cp = c < 0x80 ? c : codePoint(pos);
        if (Character.isJavaIdentifierStart(cp)) {
            throw invalidToken(0);
        }
        throw unexpected("expected a valid value " + VALUES);
    }

    private void open(boolean isObject) throws SpecFormatException {
        if (depth == MAX_DEPTH) {
            throw error("Document nesting depth (" + (depth + 1) + ") exceeds the maximum allowed (" + MAX_DEPTH + ")", column(pos));
        }
        if (depth == object.length) {
            int n = Math.min(depth * 2, MAX_DEPTH);
            object = java.util.Arrays.copyOf(object, n);
            state = java.util.Arrays.copyOf(state, n);
            openLine = java.util.Arrays.copyOf(openLine, n);
            openColumn = java.util.Arrays.copyOf(openColumn, n);
        }
        object[depth] = isObject;
        state[depth] = OPENED;
        openLine[depth] = line;
        openColumn[depth] = column(pos);
        depth++;
        pos++;
    }

    // ---- literals and numbers ----------------------------------------------------------------

    private void literal(String word) throws SpecFormatException {
        int n = word.length();
        for (int i = 1; i < n; i++) {
            if (pos + i >= in.length || in[pos + i] != word.charAt(i)) {
                throw invalidToken(i);
            }
        }
        if (pos + n < in.length && identifierPartAt(pos + n)) {
            throw invalidToken(n);
        }
        pos += n;
    }

    /** NaN or Infinity (signed or not): named as non-standard when whole, else an unknown token. */
    private void nonStandard(String word) throws SpecFormatException {
        int n = word.length();
        for (int i = 1; i < n; i++) {
            if (pos + i >= in.length || in[pos + i] != word.charAt(i)) {
                throw invalidToken(i);
            }
        }
        if (pos + n < in.length && identifierPartAt(pos + n)) {
            throw invalidToken(n);
        }
        pos += n;
        throw error("Non-standard token '" + word + "': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow", column(pos));
    }

    private boolean startsWith(String word) {
        if (pos + word.length() > in.length) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (in[pos + i] != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
    private Token number(boolean root) throws SpecFormatException {
        int start = pos;
        boolean negative = in[pos] == '-';
        if (negative) {
            pos++;
            if (pos == in.length) {
                throw endOfInput("Unexpected end-of-input in " + current);
            }
            if (in[pos] == 'I' && startsWith("Infinity")) {
                pos--;
                nonStandard("-Infinity");
            }
            if (!digit(pos)) {
                if (in[pos] == 'I') {
                    pos--;
                    nonStandard("-Infinity");
                }
                throw inNumber("expected digit (0-9) to follow minus sign, for valid numeric value");
            }
        }
        int intStart = pos;
        long value = 0;
        boolean big = false;
        while (pos < in.length && digit(pos)) {
            if (pos == intStart + 1 && in[intStart] == '0') {
                throw error("Invalid numeric value: Leading zeroes not allowed", column(pos));
            }
            int dgt = in[pos] - '0';
            // accumulated negatively: Long.MIN_VALUE has no positive counterpart
            if (!big) {
                if (value < Long.MIN_VALUE / 10 || (value == Long.MIN_VALUE / 10 && dgt > 8)) {
                    big = true;
                } else {
                    value = value * 10 - dgt;
                }
            }
            pos++;
        }
        boolean integer = true;
        if (pos < in.length && in[pos] == '.') {
            integer = false;
            pos++;
            if (pos == in.length) {
                pos--;
                throw inNumber("Decimal point not followed by a digit");
            }
            if (!digit(pos)) {
                throw inNumber("Decimal point not followed by a digit");
            }
            while (pos < in.length && digit(pos)) {
                pos++;
            }
        }
        if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
            integer = false;
            pos++;
            if (pos < in.length && (in[pos] == '+' || in[pos] == '-')) {
                pos++;
            }
            if (pos == in.length) {
                throw endOfInput("Unexpected end-of-input in " + current);
            }
            if (!digit(pos)) {
                throw inNumber("Exponent indicator not followed by a digit");
            }
            while (pos < in.length && digit(pos)) {
                pos++;
            }
        }
        if (pos - start > MAX_NUMBER_LENGTH) {
            throw error("Number value length (" + (pos - start) + ") exceeds the maximum allowed (" + MAX_NUMBER_LENGTH + ")",
                    tokenColumn);
        }
        if (root && pos < in.length && !space(in[pos])) {
            throw unexpected("Expected space separating root-level values");
        }
        text = new String(in, start, pos - start, StandardCharsets.ISO_8859_1);
        if (integer) {
            if (!big && !negative) {
                big = value == Long.MIN_VALUE;
                value = -value;
            }
            bigInteger = big;
            longValue = value;
            return Token.VALUE_NUMBER_INT;
        }
        return Token.VALUE_NUMBER_FLOAT;
    }

    private boolean digit(int i) {
        return in[i] >= '0' && in[i] <= '9';
    }

    private SpecFormatException inNumber(String why) throws SpecFormatException {
        return error("Unexpected character (" + describeAt(pos) + ") in numeric value: " + why, column(lastByte(pos)));
    }

    // ---- strings -----------------------------------------------------------------------------

    /**
     * After the opening quote: the string up to its closing quote, which is consumed. With
     * {@code keep} false it is only checked and skipped.
     */
    private String string(boolean keep, boolean name) throws SpecFormatException {
        int start = pos;
        // the common case: printable ASCII without escapes
        while (pos < in.length) {
            int b = in[pos];
            if (b == '"') {
                String s = keep ? new String(in, start, pos - start, StandardCharsets.ISO_8859_1) : null;
                pos++;
                return s;
            }
            if (b == '\\' || b < 0x20) { // b < 0 for bytes 0x80 and up
                break;
            }
            pos++;
        }
        sb.setLength(0);
        sb.append(new String(in, start, pos - start, StandardCharsets.ISO_8859_1));
        while (true) {
            if (pos == in.length) {
                throw endOfInput("Unexpected end-of-input in " + (name ? "field name" : "VALUE_STRING"));
            }
            int b = in[pos] & 0xff;
            if (b == '"') {
                pos++;
                return keep ? sb.toString() : null;
            }
            if (b == '\\') {
                pos++;
                escape();
            } else if (b < 0x20) {
                throw error("Illegal unquoted character (" + describe(b) + "): has to be escaped using backslash to be included in "
                        + (name ? "name" : "string value"), column(pos));
            } else if (b < 0x80) {
                sb.append((char) b);
                pos++;
            } else {
                int cp = codePoint(pos);
                sb.appendCodePoint(cp);
                pos += utf8Length(b);
            }
        }
    }

    /** After a backslash: appends the escaped character. */
    private void escape() throws SpecFormatException {
        if (pos == in.length) {
            throw endOfInput("Unexpected end-of-input in character escape sequence");
        }
        int e = in[pos] & 0xff;
        switch (e) {
            case '"', '\\', '/' -> sb.append((char) e);
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'u' -> {
                int v = 0;
                for (int i = 0; i < 4; i++) {
                    pos++;
                    if (pos == in.length) {
                        throw endOfInput("Unexpected end-of-input in character escape sequence");
                    }
                    int h = in[pos] & 0xff;
                    int d = h < 0x80 ? Character.digit(h, 16) : -1;
                    if (d < 0) {
                        throw error("Unexpected character (" + describe(h) + "): expected a hex-digit for character escape sequence",
                                column(pos));
                    }
                    v = v << 4 | d;
                }
                // a lone surrogate stays as it is (jackson's and Java's strings allow it)
                sb.append((char) v);
            }
            default -> throw error("Unrecognized character escape " + describeAt(pos), column(lastByte(pos)));
        }
        pos++;
    }

    // ---- UTF-8 -------------------------------------------------------------------------------

    private static int utf8Length(int lead) {
        return lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    }

    /**
     * The code point whose encoding starts at {@code i} (a byte of 0x80 or more), strictly
     * checked: the second byte's range depends on the first (no overlong forms, no surrogates,
     * nothing above U+10FFFF).
     */
    private int codePoint(int i) throws SpecFormatException {
        int b0 = in[i] & 0xff;
        if (b0 < 0xC2 || b0 > 0xF4) {
            throw error("Invalid UTF-8 start byte 0x" + Integer.toHexString(b0), column(i) + 1);
        }
        int n = utf8Length(b0);
        int min = 0x80;
        int max = 0xBF;
        if (b0 == 0xE0) {
            min = 0xA0;
        } else if (b0 == 0xF0) {
            min = 0x90;
        } else if (b0 == 0xF4) {
            max = 0x8F;
        }
        int cp = b0 & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
        for (int k = 1; k < n; k++) {
            if (i + k >= in.length) {
                pos = in.length;
                throw endOfInput("Unexpected end-of-input in a UTF-8 sequence");
            }
            int b = in[i + k] & 0xff;
            boolean ok = k == 1 && b0 != 0xED ? b >= min && b <= max : (b & 0xC0) == 0x80;
            if (!ok) {
                throw error("Invalid UTF-8 middle byte 0x" + Integer.toHexString(b), column(i + k) + 1);
            }
            cp = cp << 6 | (b & 0x3F);
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            throw error("Invalid UTF-8: Illegal surrogate character 0x" + Integer.toHexString(cp), column(i + n - 1) + 1);
        }
        return cp;
    }

    private int lastByte(int i) throws SpecFormatException {
        int b = in[i] & 0xff;
        if (b < 0x80) {
            return i;
        }
        codePoint(i);
        return i + utf8Length(b) - 1;
    }

    // ---- space -------------------------------------------------------------------------------

    private static boolean space(int b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    /** Skips white space; the next byte (not consumed) or -1 at the end of the input. */
    private int skipSpaceOrEnd() throws SpecFormatException {
        while (pos < in.length) {
            int b = in[pos] & 0xff;
            switch (b) {
                case ' ', '\t' -> pos++;
                case '\n' -> {
                    pos++;
                    line++;
                    lineStart = pos;
                }
                case '\r' -> {
                    pos++;
                    if (pos < in.length && in[pos] == '\n') {
                        pos++;
                    }
                    line++;
                    lineStart = pos;
                }
                case '/' -> throw unexpected("maybe a (non-standard) comment? (not recognized as one since Feature "
                        + "'ALLOW_COMMENTS' not enabled for parser)");
                default -> {
                    if (b < 0x20) {
                        throw error("Illegal character (" + describe(b) + "): only regular white space (\\r, \\n, \\t) is allowed"
                                + " between tokens", column(pos) + 1);
                    }
                    return b;
                }
            }
        }
        return -1;
    }

    /** Skips white space inside a container, where the input must go on. */
    private int skipSpace(String container) throws SpecFormatException {
        int c = skipSpaceOrEnd();
        if (c < 0) {
            throw endOfInput("Unexpected end-of-input within/between " + container + " entries");
        }
        return c;
    }

    // ---- errors ------------------------------------------------------------------------------

    private void markToken() {
        tokenLine = line;
        tokenColumn = column(pos);
    }

    private int column(int i) {
        return i - lineStart + 1;
    }

    private SpecFormatException error(String reason, int column) {
        return new SpecFormatException(null, line, column, reason);
    }

    private SpecFormatException endOfInput(String reason) {
        return error(reason, column(in.length));
    }

    /** The character at {@link #pos} is not what the grammar allows there. */
    private SpecFormatException unexpected(String why) throws SpecFormatException {
        return error("Unexpected character (" + describeAt(pos) + "): " + why, column(lastByte(pos)));
    }

    /** "Unrecognized token": the first {@code matched} bytes and the identifier characters after them. */
    private SpecFormatException invalidToken(int matched) throws SpecFormatException {
        StringBuilder t = new StringBuilder();
        int i = tokenStart();
        int end = i + matched;
        t.append(new String(in, i, Math.min(matched, in.length - i), StandardCharsets.ISO_8859_1));
        i = end;
        while (i < in.length && t.length() < 256) {
            int b = in[i] & 0xff;
            int cp = b < 0x80 ? b : codePoint(i);
            if (!Character.isJavaIdentifierPart(cp)) {
                break;
            }
            t.appendCodePoint(cp);
            i += b < 0x80 ? 1 : utf8Length(b);
        }
        if (t.length() >= 256) {
            t.append("...");
        }
        return error("Unrecognized token '" + t + "': was expecting " + VALUES, tokenColumn);
    }

    private int tokenStart() {
        return lineStart + tokenColumn - 1;
    }

    private boolean identifierPartAt(int i) throws SpecFormatException {
        int b = in[i] & 0xff;
        return Character.isJavaIdentifierPart(b < 0x80 ? b : codePoint(i));
    }

    /** jackson's description of a character in a message. */
    private String describeAt(int i) throws SpecFormatException {
        int b = in[i] & 0xff;
        return describe(b < 0x80 ? b : codePoint(i));
    }

    private static String describe(int c) {
        if (Character.isISOControl(c)) {
            return "(CTRL-CHAR, code " + c + ")";
        }
        if (c > 255) {
            return "'" + Character.toString(c) + "' (code " + c + " / 0x" + Integer.toHexString(c) + ")";
        }
        return "'" + (char) c + "' (code " + c + ")";
    }
}
