package io.jrunc.shim.ttrpc;

/**
 * One ttrpc message on the wire.
 *
 * <table>
 *   <caption>Frame (github.com/containerd/ttrpc channel.go), big endian</caption>
 *   <tr><th>bytes</th><th>field</th></tr>
 *   <tr><td>0-3</td><td>uint32 payload length (at most {@link FrameCodec#MAX_PAYLOAD})</td></tr>
 *   <tr><td>4-7</td><td>uint32 stream id (odd, chosen by the client; a response reuses it)</td></tr>
 *   <tr><td>8</td><td>uint8 type: 1 request, 2 response, 3 data (streams, not served here)</td></tr>
 *   <tr><td>9</td><td>uint8 flags (streams only; 0 for a unary call)</td></tr>
 *   <tr><td>10-</td><td>payload: a protobuf {@code Request} or {@code Response}</td></tr>
 * </table>
 */
public record Frame(int streamId, int type, int flags, byte[] payload) {
  public static final int TYPE_REQUEST = 1, TYPE_RESPONSE = 2, TYPE_DATA = 3;
}
