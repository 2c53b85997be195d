package io.jrunc.spec;

/**
 * JSON string literals written by hand, for the paths that must not load a JSON library (the
 * CLI's {@code state}, its log lines, the runtime's own state record): one escaper, so that
 * every file and line jrunc writes escapes alike.
 *
 * <p>The spec codec's writer ({@link Out}) escapes with it too. The escapes are those jackson's
 * generator wrote, byte for byte (CodecGoldenTest holds the codec's output to it): the short forms {@code \" \\ \n \t \r \b \f}, other control
 * characters as a backslash-u escape with four hex digits, and, as Go's encoding/json does (what
 * engines read runc's output with), {@code < > &}, U+2028, U+2029 and each UTF-16 surrogate the same way.
 * Hex digits of the generic form are upper case (Jackson's); every JSON parser reads either case.
 */
public final class JsonText {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private JsonText() {}

  /** Appends {@code s} as a JSON string literal, quotes included, and returns {@code b}. */
  public static StringBuilder quote(StringBuilder b, String s) {
    b.append('"');
    // Runs of printable ASCII that need no escape go in as one append each, found in a copy of
    // the chars: a charAt and an append(char) per character are ~10 calls each, and the CLI runs
    // interpreted (~0.25 us per character: ~1 ms of every create's record and config.json copy).
    char[] cs = s.toCharArray();
    int run = 0;
    for (int i = 0; i < cs.length; i++) {
      char c = cs[i];
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') continue;
      if (i > run) b.append(cs, run, i - run);
      run = i + 1;
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        // the codec's own escapes for these, written in lower case
        case '<' -> b.append("\\u003c");
        case '>' -> b.append("\\u003e");
        case '&' -> b.append("\\u0026");
        case '\u2028' -> b.append("\\u2028");
        case '\u2029' -> b.append("\\u2029");
        default -> {
          if (c < 0x20 || Character.isSurrogate(c)) unicode(b, c);
          else b.append(c);
        }
      }
    }
    if (cs.length > run) b.append(cs, run, cs.length - run);
    return b.append('"');
  }

  private static void unicode(StringBuilder b, char c) {
    b.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 15]).append(HEX[(c >> 4) & 15]).append(HEX[c & 15]);
  }
}
