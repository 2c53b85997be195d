package io.jrunc.shim.ttrpc;

/**
 * A call that failed with a gRPC status code, which containerd maps to its errdefs
 * (NOT_FOUND to ErrNotFound, ALREADY_EXISTS, FAILED_PRECONDITION, ...).
 */
public final class RpcException extends Exception {
  public static final int UNKNOWN = 2, INVALID_ARGUMENT = 3, NOT_FOUND = 5, ALREADY_EXISTS = 6,
      RESOURCE_EXHAUSTED = 8, FAILED_PRECONDITION = 9, UNIMPLEMENTED = 12, INTERNAL = 13;

  private final int code;

  public RpcException(int code, String message) {
    super(message);
    this.code = code;
  }

  public RpcException(int code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public int code() {
    return code;
  }
}
