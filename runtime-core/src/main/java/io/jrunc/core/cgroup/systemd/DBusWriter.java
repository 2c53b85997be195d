package io.jrunc.core.cgroup.systemd;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * D-Bus wire marshalling, little-endian (D-Bus specification, "Marshaling (Wire Format)").
 * Offsets are from the message start; the body starts 8-aligned, so body alignment works the
 * same when a writer holds only the body.
 *
 * <table>
 * <caption>Types used</caption>
 * <tr><th>code</th><th>type</th><th>align</th><th>encoding</th></tr>
 * <tr><td>y</td><td>byte</td><td>1</td><td>1 byte</td></tr>
 * <tr><td>b</td><td>boolean</td><td>4</td><td>uint32 0 or 1</td></tr>
 * <tr><td>u / t</td><td>uint32 / uint64</td><td>4 / 8</td><td>little endian</td></tr>
 * <tr><td>s / o</td><td>string / object path</td><td>4</td><td>uint32 length, bytes, NUL</td></tr>
 * <tr><td>g</td><td>signature</td><td>1</td><td>byte length, bytes, NUL</td></tr>
 * <tr><td>a</td><td>array</td><td>4</td><td>uint32 byte length (excluding the padding before the first element), elements</td></tr>
 * <tr><td>( )</td><td>struct</td><td>8</td><td>fields in order</td></tr>
 * <tr><td>v</td><td>variant</td><td>1</td><td>signature, value</td></tr>
 * </table>
 */
final class DBusWriter {
  private byte[] buf = new byte[256];
  private int pos;

  int position() {
    return pos;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  private void ensure(int n) {
    if (pos + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
  }

  DBusWriter align(int n) {
    while (pos % n != 0) byte_(0);
    return this;
  }

  DBusWriter byte_(int b) {
    ensure(1);
    buf[pos++] = (byte) b;
    return this;
  }

  DBusWriter u32(long v) {
    align(4);
    ensure(4);
    for (int i = 0; i < 4; i++) buf[pos++] = (byte) (v >>> (8 * i));
    return this;
  }

  DBusWriter u64(long v) {
    align(8);
    ensure(8);
    for (int i = 0; i < 8; i++) buf[pos++] = (byte) (v >>> (8 * i));
    return this;
  }

  DBusWriter bool(boolean b) {
    return u32(b ? 1 : 0);
  }

  DBusWriter string(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    u32(b.length);
    ensure(b.length + 1);
    System.arraycopy(b, 0, buf, pos, b.length);
    pos += b.length;
    buf[pos++] = 0;
    return this;
  }

  DBusWriter objectPath(String s) {
    return string(s);
  }

  DBusWriter signature(String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    byte_(b.length);
    ensure(b.length + 1);
    System.arraycopy(b, 0, buf, pos, b.length);
    pos += b.length;
    buf[pos++] = 0;
    return this;
  }

  /** Starts an array whose elements align to {@code elemAlign}; returns the handle for {@link #endArray}. */
  int[] beginArray(int elemAlign) {
    u32(0);
    int lenPos = pos - 4;
    align(elemAlign);
    return new int[] {lenPos, pos};
  }

  void endArray(int[] h) {
    int len = pos - h[1];
    for (int i = 0; i < 4; i++) buf[h[0] + i] = (byte) (len >>> (8 * i));
  }

  DBusWriter struct() {
    return align(8);
  }

  /** Overwrites a uint32 at {@code at} (the header's body length). */
  void patchU32(int at, long v) {
    for (int i = 0; i < 4; i++) buf[at + i] = (byte) (v >>> (8 * i));
  }

  void raw(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, pos, b.length);
    pos += b.length;
  }
}
