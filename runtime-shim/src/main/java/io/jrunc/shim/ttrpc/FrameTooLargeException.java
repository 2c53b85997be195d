package io.jrunc.shim.ttrpc;

import java.io.IOException;

/**
 * A frame longer than {@link FrameCodec#MAX_PAYLOAD}: its payload was read and dropped, so the
 * connection is still in step and the caller can answer the stream with RESOURCE_EXHAUSTED.
 */
public final class FrameTooLargeException extends IOException {
  private final int streamId;
  private final int type;

  FrameTooLargeException(int streamId, int type, long length) {
    super("ttrpc frame of stream " + streamId + ": payload of " + length + " bytes exceeds the limit of "
        + FrameCodec.MAX_PAYLOAD);
    this.streamId = streamId;
    this.type = type;
  }

  public int streamId() {
    return streamId;
  }

  public int type() {
    return type;
  }
}
