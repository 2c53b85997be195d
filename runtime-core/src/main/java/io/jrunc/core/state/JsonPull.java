package io.jrunc.core.state;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A strict, bounded pull parser for the state file: RFC 8259 JSON and nothing more (no
 * comments, no trailing commas, no leading zeros or {@code NaN}, no control characters in
 * strings, valid UTF-8 only, no duplicate names in an object). It exists so that the commands
 * that only read a record ({@code state}, {@code start}, {@code kill}, {@code delete}) need no
 * JSON library: initialising Jackson's parser cost each such call 15-20 ms in a fresh JVM.
 *
 * <p>Bounded: nesting deeper than {@link #MAX_DEPTH} is an error (a hostile {@code [[[[...}
 * cannot grow the parser's stack without limit), and the input is the caller's byte array,
 * itself read under {@code BoundedFile}'s size limit. It never recurses.
 *
 * <p>Values are returned as tokens, so a caller can read the fields before a syntax error:
 * a record cut short still yields the fields that were complete.
 */
final class JsonPull {
  /** Deepest nesting of objects and arrays accepted (a record needs 2). */
  static final int MAX_DEPTH = 64;

  enum Token { START_OBJECT, END_OBJECT, START_ARRAY, END_ARRAY, FIELD_NAME, STRING, INTEGER, FLOAT, TRUE, FALSE, NULL }

  /** Not JSON, with the 1-based line and column where the parser stopped. */
  static final class SyntaxException extends Exception {
    private final String reason;

    SyntaxException(String reason, int line, int column) {
      super(reason + " at line " + line + ", column " + column);
      this.reason = reason;
    }

    SyntaxException(String reason) {
      super(reason);
      this.reason = reason;
    }

    /** The reason alone, without the position. */
    String reason() {
      return reason;
    }
  }

  /** Where the parser is inside one object or array. */
  private static final class Frame {
    final boolean object;
    final Set<String> names;
    /** 0: just opened; 1: a name was read, its value is next; 2: after a value; 3: after a comma. */
    int state;

    Frame(boolean object) {
      this.object = object;
      this.names = object ? new HashSet<>() : null;
    }
  }

  /**
   * The input's characters: an array, not a String, as every character is looked at once or
   * more and a fresh JVM interprets this code (an array load is one bytecode, charAt a chain of
   * calls).
   */
  private final char[] in;
  /**
   * The input itself when it is all ASCII (null otherwise): the texts of names, strings and
   * numbers are then copied out of it as ISO-8859-1, one array copy each, where a String made
   * from {@link #in} narrows each character back to a byte in an interpreted loop.
   */
  private final byte[] ascii;
  private int pos;
  private final List<Frame> stack = new ArrayList<>();
  private String text;

  /** @throws SyntaxException if {@code utf8} is not valid UTF-8 */
  JsonPull(byte[] utf8) throws SyntaxException {
    ascii = ascii(utf8) ? utf8 : null;
    in = ascii != null ? latin1(utf8) : decode(utf8);
  }

  /** The input's characters {@code [start, start + n)} as a String. */
  private String text(int start, int n) {
    return ascii != null ? new String(ascii, start, n, StandardCharsets.ISO_8859_1) : new String(in, start, n);
  }

  /** True when every byte is ASCII (state.json and jrunc's config.json usually are). */
  private static boolean ascii(byte[] b) {
    for (byte x : b) if (x < 0) return false;
    return true;
  }

  /** ASCII is valid UTF-8 and each byte is its character: no decoder needed (its classes cost start-up). */
  private static char[] latin1(byte[] b) {
    char[] c = new char[b.length];
    for (int i = 0; i < b.length; i++) c[i] = (char) b[i];
    return c;
  }

  private static char[] decode(byte[] utf8) throws SyntaxException {
    try {
      // newDecoder() reports malformed input; new String(...) would replace it silently
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(utf8)).toString().toCharArray();
    } catch (CharacterCodingException e) {
      throw new SyntaxException("Invalid UTF-8");
    }
  }

  /** The text of the current name, string or number token. */
  String text() {
    return text;
  }

  /**
   * The next token, or null at the end of the input when no value is open. At the top level
   * a value may follow the first one: the caller decides that it is an error.
   */
  Token next() throws SyntaxException {
    skipSpace();
    if (stack.isEmpty()) return pos == in.length ? null : value();
    Frame f = stack.getLast();
    if (pos == in.length) throw error("Unexpected end-of-input: expected close marker for " + (f.object ? "Object" : "Array"));
    char c = in[pos];
    if (f.object) {
      switch (f.state) {
        case 0, 2 -> {
          if (c == '}') {
            pos++;
            stack.removeLast();
            return Token.END_OBJECT;
          }
          if (f.state == 2) {
            if (c != ',') throw error("Unexpected character " + quote(c) + ": was expecting comma to separate Object entries");
            pos++;
            f.state = 3;
            return next();
          }
          return name(f);
        }
        case 3 -> {
          return name(f);
        }
        default -> {
          if (c != ':') throw error("Unexpected character " + quote(c) + ": was expecting a colon to separate field name and value");
          pos++;
          skipSpace();
          f.state = 2;
          return value();
        }
      }
    }
    if (f.state != 3 && c == ']') {
      pos++;
      stack.removeLast();
      return Token.END_ARRAY;
    }
    if (f.state == 2) {
      if (c != ',') throw error("Unexpected character " + quote(c) + ": was expecting comma to separate Array entries");
      pos++;
      f.state = 3;
      return next();
    }
    f.state = 2;
    return value();
  }

  /** After a start token: consumes everything up to and including its end token. */
  void skipChildren(Token current) throws SyntaxException {
    if (current != Token.START_OBJECT && current != Token.START_ARRAY) return;
    int depth = 1;
    while (depth > 0) {
      Token t = next();
      if (t == Token.START_OBJECT || t == Token.START_ARRAY) depth++;
      else if (t == Token.END_OBJECT || t == Token.END_ARRAY) depth--;
    }
  }

  private Token name(Frame f) throws SyntaxException {
    char c = in[pos];
    if (c != '"') throw error("Unexpected character " + quote(c) + ": was expecting double-quote to start field name");
    pos++;
    String n = string();
    if (!f.names.add(n)) throw error("Duplicate field '" + n + "'");
    f.state = 1;
    text = n;
    return Token.FIELD_NAME;
  }

  private Token value() throws SyntaxException {
    if (pos == in.length) throw error("Unexpected end-of-input: expected a value");
    char c = in[pos];
    switch (c) {
      case '{', '[' -> {
        if (stack.size() == MAX_DEPTH) throw error("Nesting depth exceeds the maximum allowed (" + MAX_DEPTH + ")");
        pos++;
        stack.add(new Frame(c == '{'));
        return c == '{' ? Token.START_OBJECT : Token.START_ARRAY;
      }
      case '"' -> {
        pos++;
        text = string();
        return Token.STRING;
      }
      case 't' -> {
        literal("true");
        return Token.TRUE;
      }
      case 'f' -> {
        literal("false");
        return Token.FALSE;
      }
      case 'n' -> {
        literal("null");
        return Token.NULL;
      }
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        throw error("Unexpected character " + quote(c) + ": expected a valid value");
      }
    }
  }

  private void literal(String word) throws SyntaxException {
    boolean match = pos + word.length() <= in.length;
    for (int i = 0; match && i < word.length(); i++) match = in[pos + i] == word.charAt(i);
    if (!match) throw error("Unrecognized token: was expecting '" + word + "'");
    pos += word.length();
    endOfToken();
  }

  /** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
  private Token number() throws SyntaxException {
    int start = pos;
    if (in[pos] == '-') pos++;
    int intStart = pos;
    int digits = digits();
    if (digits == 0) throw error("Invalid numeric value: no digit after the minus sign");
    if (digits > 1 && in[intStart] == '0') throw error("Invalid numeric value: leading zeroes not allowed");
    boolean integer = true;
    if (pos < in.length && in[pos] == '.') {
      pos++;
      integer = false;
      if (digits() == 0) throw error("Invalid numeric value: decimal point must be followed by a digit");
    }
    if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
      pos++;
      integer = false;
      if (pos < in.length && (in[pos] == '+' || in[pos] == '-')) pos++;
      if (digits() == 0) throw error("Invalid numeric value: exponent must have a digit");
    }
    endOfToken();
    text = text(start, pos - start);
    return integer ? Token.INTEGER : Token.FLOAT;
  }

  private int digits() {
    int s = pos;
    while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') pos++;
    return pos - s;
  }

  /** A value must be followed by a delimiter: {@code 12ab} or {@code truex} is no number or literal. */
  private void endOfToken() throws SyntaxException {
    if (pos == in.length) return;
    char c = in[pos];
    if (c == ',' || c == '}' || c == ']' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r') return;
    throw error("Unexpected character " + quote(c) + " after a value");
  }

  /** After the opening quote; leaves pos after the closing one. */
  private String string() throws SyntaxException {
    StringBuilder sb = null;
    int start = pos;
    while (true) {
      if (pos == in.length) throw error("Unexpected end-of-input in a string");
      char c = in[pos];
      if (c == '"') {
        String s = sb == null ? text(start, pos - start) : sb.append(in, start, pos - start).toString();
        pos++;
        return s;
      }
      if (c < 0x20) throw error("Illegal unquoted character (code " + (int) c + "): must be escaped in a string");
      if (c != '\\') {
        pos++;
        continue;
      }
      if (sb == null) sb = new StringBuilder();
      sb.append(in, start, pos - start);
      pos++;
      if (pos == in.length) throw error("Unexpected end-of-input in an escape sequence");
      char e = in[pos++];
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          if (pos + 4 > in.length) throw error("Unexpected end-of-input in a \\u escape");
          int v = 0;
          for (int i = 0; i < 4; i++) {
            int d = Character.digit(in[pos + i], 16);
            if (d < 0) throw error("Unexpected character in a \\u escape: expected a hex digit");
            v = v << 4 | d;
          }
          pos += 4;
          sb.append((char) v);
        }
        default -> throw error("Unrecognized character escape " + quote(e));
      }
      start = pos;
    }
  }

  private void skipSpace() {
    while (pos < in.length) {
      char c = in[pos];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      pos++;
    }
  }

  private SyntaxException error(String reason) {
    int line = 1, col = 1;
    for (int i = 0; i < pos && i < in.length; i++) {
      if (in[i] == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return new SyntaxException(reason, line, col);
  }

  /** A character in a message: printable as itself, anything else by its code. */
  private static String quote(char c) {
    return c >= 0x20 && c < 0x7f ? "('" + c + "' (code " + (int) c + "))" : "((code " + (int) c + "))";
  }
}
