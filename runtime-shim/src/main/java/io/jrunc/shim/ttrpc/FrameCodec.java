package io.jrunc.shim.ttrpc;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Reads and writes {@link Frame}s: a 10-byte header then the payload (see {@link Frame}). */
public final class FrameCodec {
  /** ttrpc's messageLengthMax: 4 MiB. */
  public static final int MAX_PAYLOAD = 4 << 20;
  static final int HEADER = 10;

  private FrameCodec() {}

  /**
   * The next frame, or null at a clean end of stream (EOF before the first header byte). EOF
   * inside a frame is an {@link EOFException}; an oversized payload is read past and reported as
   * {@link FrameTooLargeException}.
   */
  public static Frame read(InputStream in) throws IOException {
    byte[] h = new byte[HEADER];
    int first = in.read(h, 0, HEADER);
    if (first < 0) return null;
    DataInputStream din = new DataInputStream(in);
    if (first < HEADER) {
      try {
        din.readFully(h, first, HEADER - first);
      } catch (EOFException e) {
        throw new EOFException("ttrpc: connection closed inside a frame header");
      }
    }
    long length = be32(h, 0) & 0xffffffffL;
    int stream = be32(h, 4);
    int type = h[8] & 0xff;
    int flags = h[9] & 0xff;
    if (length > MAX_PAYLOAD) {
      long left = length;
      byte[] sink = new byte[8192];
      while (left > 0) {
        int n = in.read(sink, 0, (int) Math.min(sink.length, left));
        if (n < 0) throw new EOFException("ttrpc: connection closed inside an oversized frame");
        left -= n;
      }
      throw new FrameTooLargeException(stream, type, length);
    }
    byte[] payload = new byte[(int) length];
    try {
      din.readFully(payload);
    } catch (EOFException e) {
      throw new EOFException("ttrpc: connection closed after " + HEADER + " header bytes, inside a payload of "
          + length + " bytes");
    }
    return new Frame(stream, type, flags, payload);
  }

  /** Writes one frame (header and payload in one write); refuses a payload over the limit. */
  public static void write(OutputStream out, Frame f) throws IOException {
    if (f.payload().length > MAX_PAYLOAD) {
      throw new IOException("ttrpc frame of stream " + f.streamId() + ": payload of " + f.payload().length
          + " bytes exceeds the limit of " + MAX_PAYLOAD);
    }
    byte[] buf = new byte[HEADER + f.payload().length];
    put32(buf, 0, f.payload().length);
    put32(buf, 4, f.streamId());
    buf[8] = (byte) f.type();
    buf[9] = (byte) f.flags();
    System.arraycopy(f.payload(), 0, buf, HEADER, f.payload().length);
    out.write(buf);
    out.flush();
  }

  private static int be32(byte[] b, int o) {
    return (b[o] & 0xff) << 24 | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | (b[o + 3] & 0xff);
  }

  private static void put32(byte[] b, int o, int v) {
    b[o] = (byte) (v >>> 24);
    b[o + 1] = (byte) (v >>> 16);
    b[o + 2] = (byte) (v >>> 8);
    b[o + 3] = (byte) v;
  }
}
