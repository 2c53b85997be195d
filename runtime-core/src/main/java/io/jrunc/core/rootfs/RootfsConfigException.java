package io.jrunc.core.rootfs;

/**
 * A config.json the rootfs planner refuses, found in the parent before anything is created:
 * the message is the whole sentence (what, where as a JSON path, why), e.g.
 * {@code mounts[2] (destination /proc/sys): mounts inside /proc are not allowed}.
 */
public class RootfsConfigException extends IllegalArgumentException {
  public RootfsConfigException(String message) {
    super(message);
  }
}
