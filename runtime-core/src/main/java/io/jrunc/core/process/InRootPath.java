package io.jrunc.core.process;

import io.jrunc.core.rootfs.RootfsView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Resolves a path as the container will see it, from the host, without ever leaving the
 * rootfs: symlinks are followed with the rootfs as {@code /} (like openat2's
 * {@code RESOLVE_IN_ROOT}), and {@code ..} stops at the root. Used in the parent for planning
 * (finding the executable); the child's own resolution uses openat2. The walk is
 * {@link RootfsView}'s, with the rootfs alone.
 */
public final class InRootPath {
  private InRootPath() {}

  /** The host path of {@code path} inside {@code root}; the result may not exist. */
  public static Path resolve(Path root, String path) throws IOException {
    RootfsView v = new RootfsView(root);
    return v.host(v.resolve(path));
  }

  /** True when the host path is a regular file with an execute bit. */
  static boolean isExecutable(Path p) {
    return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.isExecutable(p);
  }
}
