package io.jrunc.core.cgroup.systemd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A D-Bus message: building method calls and reading the header fields and first string/path
 * argument of replies (all this client needs).
 *
 * <table>
 * <caption>Header (16 bytes fixed, then the field array, padded to 8)</caption>
 * <tr><th>offset</th><th>field</th></tr>
 * <tr><td>0</td><td>endianness 'l' (little) or 'B'</td></tr>
 * <tr><td>1</td><td>type: 1 method call, 2 method return, 3 error, 4 signal</td></tr>
 * <tr><td>2</td><td>flags (0x1 no reply expected)</td></tr>
 * <tr><td>3</td><td>protocol version 1</td></tr>
 * <tr><td>4</td><td>body length (uint32)</td></tr>
 * <tr><td>8</td><td>serial (uint32, non-zero)</td></tr>
 * <tr><td>12</td><td>a(yv) fields: 1 PATH o, 2 INTERFACE s, 3 MEMBER s, 4 ERROR_NAME s, 5 REPLY_SERIAL u,
 *     6 DESTINATION s, 7 SENDER s, 8 SIGNATURE g</td></tr>
 * </table>
 */
final class DBusMessage {
  static final int METHOD_CALL = 1, METHOD_RETURN = 2, ERROR = 3, SIGNAL = 4;

  int type;
  long serial;
  long replySerial;
  String path, iface, member, errorName, destination, sender, signature = "";
  byte[] body = new byte[0];
  boolean bigEndian;

  /** A method call with a pre-marshalled body of signature {@code sig}. */
  static byte[] methodCall(long serial, String destination, String path, String iface, String member, String sig, byte[] body) {
    DBusWriter w = new DBusWriter();
    w.byte_('l').byte_(METHOD_CALL).byte_(0).byte_(1);
    w.u32(body.length);
    w.u32(serial);
    int[] fields = w.beginArray(8);
    field(w, 1, "o", path);
    if (iface != null) field(w, 2, "s", iface);
    field(w, 3, "s", member);
    if (destination != null) field(w, 6, "s", destination);
    if (!sig.isEmpty()) field(w, 8, "g", sig);
    w.endArray(fields);
    w.align(8);
    w.raw(body);
    return w.toByteArray();
  }

  private static void field(DBusWriter w, int code, String sig, String value) {
    w.struct().byte_(code).signature(sig);
    if (sig.equals("g")) w.signature(value);
    else w.string(value);
  }

  /** Length of the whole message whose first 16 bytes are {@code head}. */
  static int totalLength(byte[] head) {
    ByteBuffer b = ByteBuffer.wrap(head).order(head[0] == 'B' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    long bodyLen = b.getInt(4) & 0xffffffffL;
    long fieldsLen = b.getInt(12) & 0xffffffffL;
    long headerEnd = 16 + fieldsLen;
    headerEnd = (headerEnd + 7) & ~7L;
    long total = headerEnd + bodyLen;
    if (total > (1 << 27)) throw new IllegalStateException("D-Bus message of " + total + " bytes exceeds the 128 MiB maximum");
    return (int) total;
  }

  static DBusMessage parse(byte[] m) {
    DBusMessage msg = new DBusMessage();
    msg.bigEndian = m[0] == 'B';
    ByteBuffer b = ByteBuffer.wrap(m).order(msg.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    msg.type = m[1];
    long bodyLen = b.getInt(4) & 0xffffffffL;
    msg.serial = b.getInt(8) & 0xffffffffL;
    int fieldsLen = b.getInt(12);
    int p = 16, end = 16 + fieldsLen;
    while (p < end) {
      p = (p + 7) & ~7;
      int code = m[p++];
      int sigLen = m[p++] & 0xff;
      String sig = new String(m, p, sigLen, StandardCharsets.US_ASCII);
      p += sigLen + 1;
      switch (sig) {
        case "s", "o" -> {
          p = (p + 3) & ~3;
          int len = b.getInt(p);
          String v = new String(m, p + 4, len, StandardCharsets.UTF_8);
          p += 4 + len + 1;
          switch (code) {
            case 1 -> msg.path = v;
            case 2 -> msg.iface = v;
            case 3 -> msg.member = v;
            case 4 -> msg.errorName = v;
            case 6 -> msg.destination = v;
            case 7 -> msg.sender = v;
            default -> { }
          }
        }
        case "u" -> {
          p = (p + 3) & ~3;
          long v = b.getInt(p) & 0xffffffffL;
          p += 4;
          if (code == 5) msg.replySerial = v;
        }
        case "g" -> {
          int len = m[p++] & 0xff;
          String v = new String(m, p, len, StandardCharsets.US_ASCII);
          p += len + 1;
          if (code == 8) msg.signature = v;
        }
        default -> throw new IllegalStateException("unexpected D-Bus header field signature " + sig);
      }
    }
    int bodyStart = (end + 7) & ~7;
    msg.body = java.util.Arrays.copyOfRange(m, bodyStart, (int) (bodyStart + bodyLen));
    return msg;
  }

  /** The first argument when it is a string or object path (error text, job path, unique name). */
  String firstString() {
    if (body.length < 5 || signature.isEmpty()) return null;
    char c = signature.charAt(0);
    if (c != 's' && c != 'o') return null;
    ByteBuffer b = ByteBuffer.wrap(body).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    int len = b.getInt(0);
    return new String(body, 4, len, StandardCharsets.UTF_8);
  }
}
