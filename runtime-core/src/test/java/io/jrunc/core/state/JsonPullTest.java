package io.jrunc.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.state.JsonPull.SyntaxException;
import io.jrunc.core.state.JsonPull.Token;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The state file's parser: strict RFC 8259, bounded, and hostile input fails with a message, never a crash. */
class JsonPullTest {
  private static List<String> tokens(String json) throws SyntaxException {
    return tokens(json.getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> tokens(byte[] json) throws SyntaxException {
    JsonPull p = new JsonPull(json);
    List<String> out = new ArrayList<>();
    for (Token t; (t = p.next()) != null; ) {
      out.add(switch (t) {
        case FIELD_NAME, STRING, INTEGER, FLOAT -> t + ":" + p.text();
        default -> t.toString();
      });
    }
    return out;
  }

  private static String error(String json) {
    try {
      tokens(json);
    } catch (SyntaxException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + json);
  }

  @Test
  void readsEveryKindOfValue() throws Exception {
    assertThat(tokens(" {\"a\" : [1, -0, 2.5e-3, true, false, null, \"x\"], \"b\":{}, \"c\":[]}\n"))
        .containsExactly("START_OBJECT", "FIELD_NAME:a", "START_ARRAY", "INTEGER:1", "INTEGER:-0", "FLOAT:2.5e-3",
            "TRUE", "FALSE", "NULL", "STRING:x", "END_ARRAY", "FIELD_NAME:b", "START_OBJECT", "END_OBJECT",
            "FIELD_NAME:c", "START_ARRAY", "END_ARRAY", "END_OBJECT");
    assertThat(tokens("")).isEmpty();
    assertThat(tokens("{} []")).containsExactly("START_OBJECT", "END_OBJECT", "START_ARRAY", "END_ARRAY");
  }

  @Test
  void decodesEscapesAndUtf8() throws Exception {
    assertThat(tokens("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"")).containsExactly("STRING:a\"b\\c/d\b\f\n\r\té😀");
    assertThat(tokens("\"é😀\"")).containsExactly("STRING:é😀");
  }

  @Test
  void refusesWhatIsNotStrictJson() {
    String[][] cases = {
      {"{\"a\":1,}", "was expecting double-quote to start field name"},
      {"[1,]", "expected a valid value"},
      {"{\"a\" 1}", "was expecting a colon"},
      {"{\"a\":1 \"b\":2}", "was expecting comma to separate Object entries"},
      {"[1 2]", "was expecting comma to separate Array entries"},
      {"{a:1}", "was expecting double-quote to start field name"},
      {"['a']", "expected a valid value"},
      {"[01]", "leading zeroes not allowed"},
      {"[1.]", "decimal point must be followed by a digit"},
      {"[1e]", "exponent must have a digit"},
      {"[-]", "no digit after the minus sign"},
      {"[+1]", "expected a valid value"},
      {"[NaN]", "expected a valid value"},
      {"[tru]", "was expecting 'true'"},
      {"[truex]", "after a value"},
      {"[12ab]", "after a value"},
      {"// c\n{}", "expected a valid value"},
      {"\"a\tb\"", "Illegal unquoted character (code 9)"},
      {"\"a\\x\"", "Unrecognized character escape"},
      {"\"\\u12g4\"", "expected a hex digit"},
      {"\"\\u12", "Unexpected end-of-input in a \\u escape"},
      {"\"abc", "Unexpected end-of-input in a string"},
      {"{\"a\":1", "Unexpected end-of-input: expected close marker for Object"},
      {"[", "Unexpected end-of-input: expected close marker for Array"},
      {"{\"a\":", "Unexpected end-of-input: expected a value"},
      {"{\"a\":1,\"a\":2}", "Duplicate field 'a'"},
      {"\uFEFF{}", "Unexpected character ((code 65279))"},
    };
    for (String[] c : cases) assertThat(error(c[0])).as(c[0]).contains(c[1]);
  }

  @Test
  void namesTheLineAndColumn() {
    assertThat(error("{\n  \"a\": 1,\n  \"b\" x}")).isEqualTo(
        "Unexpected character ('x' (code 120)): was expecting a colon to separate field name and value at line 3, column 7");
  }

  @Test
  void invalidUtf8IsRefused() {
    byte[] bad = {'"', (byte) 0xC3, '(', '"'};
    assertThatThrownBy(() -> tokens(bad)).isInstanceOf(SyntaxException.class).hasMessage("Invalid UTF-8");
    byte[] overlong = {'"', (byte) 0xC0, (byte) 0xAF, '"'};
    assertThatThrownBy(() -> tokens(overlong)).isInstanceOf(SyntaxException.class).hasMessage("Invalid UTF-8");
  }

  @Test
  void nestingIsBoundedWithoutRecursion() throws Exception {
    String ok = "[".repeat(JsonPull.MAX_DEPTH) + "]".repeat(JsonPull.MAX_DEPTH);
    assertThat(tokens(ok)).hasSize(2 * JsonPull.MAX_DEPTH);
    // a megabyte of brackets: one clear error at the limit, no StackOverflowError
    assertThat(error("[".repeat(1 << 20))).startsWith("Nesting depth exceeds the maximum allowed (64) at line 1, column 65");
    assertThat(error("{\"a\":".repeat(1 << 16))).contains("Nesting depth exceeds");
  }

  @Test
  void skipChildrenConsumesOneValueWhole() throws Exception {
    JsonPull p = new JsonPull("{\"x\":{\"y\":[1,{\"z\":[]}]},\"n\":2}".getBytes(StandardCharsets.UTF_8));
    assertThat(p.next()).isEqualTo(Token.START_OBJECT);
    assertThat(p.next()).isEqualTo(Token.FIELD_NAME);
    p.skipChildren(p.next());
    assertThat(p.next()).isEqualTo(Token.FIELD_NAME);
    assertThat(p.text()).isEqualTo("n");
    assertThat(p.next()).isEqualTo(Token.INTEGER);
    assertThat(p.next()).isEqualTo(Token.END_OBJECT);
    assertThat(p.next()).isNull();
  }

  @Test
  void aHugeNumberIsTextNotAnOverflow() throws Exception {
    String digits = "9".repeat(100_000);
    assertThat(tokens("[" + digits + "]").get(1)).isEqualTo("INTEGER:" + digits);
  }
}
