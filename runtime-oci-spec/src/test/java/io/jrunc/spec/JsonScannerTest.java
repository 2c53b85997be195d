package io.jrunc.spec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The tokenizer's own guarantees; its results on many more inputs are in CodecGoldenTest. */
class JsonScannerTest {

    private static SpecFormatException error(byte[] json) {
        Throwable t = catchThrowable(() -> Json.read(json, Spec.class));
        assertThat(t).isInstanceOf(SpecFormatException.class);
        return (SpecFormatException) t;
    }

    /** Bounded: a hostile nesting is an error at the limit, not a stack overflow or a long walk. */
    @Test
    void nestingIsCappedWithoutRecursion() {
        byte[] deep = ("{\"x\":" + "[".repeat(1_000_000)).getBytes(StandardCharsets.US_ASCII);
        SpecFormatException e = error(deep);
        assertThat(e.jsonPointer()).isNull();
        assertThat(e.reason()).isEqualTo("Document nesting depth (1001) exceeds the maximum allowed (1000)");
        assertThat(e.column()).isEqualTo(6 + 999);
        String ok = "{\"x\":" + "[".repeat(999) + "]".repeat(999) + "}";
        assertThat(catchThrowable(() -> Json.read(ok, Spec.class))).isNull();
    }

    @Test
    void numbersAreCapped() {
        SpecFormatException e = error(("{\"x\": 1" + "0".repeat(1000) + "}").getBytes(StandardCharsets.US_ASCII));
        assertThat(e.reason()).isEqualTo("Number value length (1001) exceeds the maximum allowed (1000)");
    }

    /** Strict UTF-8: what jackson let through (an overlong '/', a code point above U+10FFFF) is refused. */
    @Test
    void onlyWellFormedUtf8() throws Exception {
        byte[] overlongSlash = {'{', '"', 'h', 'o', 's', 't', 'n', 'a', 'm', 'e', '"', ':', '"', 'a', (byte) 0xC0, (byte) 0xAF, '"', '}'};
        assertThat(error(overlongSlash).reason()).isEqualTo("Invalid UTF-8 start byte 0xc0");
        byte[] aboveMax = {'{', '"', 'h', 'o', 's', 't', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"', '}'};
        assertThat(error(aboveMax).reason()).isEqualTo("Invalid UTF-8 middle byte 0x90");
        byte[] overlong3 = {'{', '"', 'h', 'o', 's', 't', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xE0, (byte) 0x80, (byte) 0xAF, '"', '}'};
        assertThat(error(overlong3).reason()).isEqualTo("Invalid UTF-8 middle byte 0x80");
        byte[] utf16 = "{\"hostname\": \"x\"}".getBytes(StandardCharsets.UTF_16);
        assertThat(error(utf16).reason()).isEqualTo("Invalid UTF-8 start byte 0xfe");
        // every well-formed length decodes, the 4-byte one to a surrogate pair
        String all = "A\u00e9\u20ac\uD83D\uDE00\uFFFF";
        Spec s = Json.read(("{\"hostname\": \"" + all + "\"}").getBytes(StandardCharsets.UTF_8), Spec.class);
        assertThat(s.hostname()).isEqualTo(all);
    }

    /** A byte order mark is skipped (RFC 8259 allows it) but counts in the first line's columns, as in jackson. */
    @Test
    void byteOrderMark() throws Exception {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] doc = "{\"hostname\": 5}".getBytes(StandardCharsets.US_ASCII);
        byte[] both = new byte[bom.length + doc.length];
        System.arraycopy(bom, 0, both, 0, 3);
        System.arraycopy(doc, 0, both, 3, doc.length);
        SpecFormatException e = error(both);
        assertThat(e).hasMessage("/hostname: must be a string, got integer 5");
        assertThat(e.column()).isEqualTo(3 + 14);
    }

    /** A string is read only when asked for: a broken one where an array belongs is a type error first. */
    @Test
    void stringsAreReadLazily() {
        SpecFormatException e = error("{\"process\": {\"args\": \"a\tb\"}}".getBytes(StandardCharsets.US_ASCII));
        assertThat(e).hasMessage("/process/args: must be an array, got string");
        e = error("{\"zzz\": \"a\tb\", \"hostname\": 5}".getBytes(StandardCharsets.US_ASCII));
        assertThat(e).hasMessage("line 1, column 11: Illegal unquoted character ((CTRL-CHAR, code 9)): has to be escaped using"
                + " backslash to be included in string value");
    }

    /** uint64 keeps the bit pattern up to 2^64-1; int64 and int32 refuse what does not fit. */
    @Test
    void integerRanges() throws Exception {
        Spec s = Json.read("{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 18446744073709551615,"
                + " \"soft\": 9223372036854775808}], \"oomScoreAdj\": -2147483648}}", Spec.class);
        assertThat(s.process().rlimits().getFirst().hard()).isEqualTo(-1L);
        assertThat(s.process().rlimits().getFirst().soft()).isEqualTo(Long.MIN_VALUE);
        assertThat(s.process().oomScoreAdj()).isEqualTo(Integer.MIN_VALUE);
        assertThat(Json.read("{\"linux\": {\"resources\": {\"memory\": {\"limit\": -9223372036854775808}}}}", Spec.class)
                .linux().resources().memory().limit()).isEqualTo(Long.MIN_VALUE);
        assertThat(error("{\"linux\": {\"resources\": {\"memory\": {\"limit\": 9223372036854775808}}}}"
                .getBytes(StandardCharsets.US_ASCII))).hasMessage("/linux/resources/memory/limit: must be a 64-bit integer, got 9223372036854775808");
        assertThat(error("{\"process\": {\"rlimits\": [{\"hard\": 18446744073709551616}]}}".getBytes(StandardCharsets.US_ASCII)))
                .hasMessage("/process/rlimits/0/hard: must be an unsigned 64-bit integer (0 to 18446744073709551615), got 18446744073709551616");
    }
}
