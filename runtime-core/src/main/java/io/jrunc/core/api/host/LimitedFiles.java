package io.jrunc.core.api.host;

import io.jrunc.core.sys.BoundedFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Size-limited reads of the JSON documents a caller hands the runtime (config.json, an exec
 * process, update's resources) and of kernel files, for code outside the core (the CLI, an
 * embedder): the same limits and refusals create applies, without reaching into {@code sys}.
 */
public final class LimitedFiles {
  private LimitedFiles() {}

  /**
   * A file refused before or while it was read: not a regular file, or over its limit. The
   * message names the file (its label and path), the limit and why.
   */
  public static final class RefusedException extends IOException {
    RefusedException(BoundedFile.RefusedException e) {
      super(e.getMessage(), e);
    }
  }

  /**
   * A JSON document at {@code path} (a link is followed; the file must be regular), within the
   * runtime's JSON limit. A file that is not a link is read with no downcall (see
   * {@code BoundedFile.readDocument}).
   *
   * @param label what the file is, for messages ("config.json", "exec --process", ...)
   * @throws java.nio.file.NoSuchFileException when it does not exist
   * @throws RefusedException when it is not a regular file or is over the limit
   */
  public static byte[] readJson(Path path, String label) throws IOException {
    try {
      return BoundedFile.readDocument(path, label, BoundedFile.JSON_LIMIT);
    } catch (BoundedFile.RefusedException e) {
      throw new RefusedException(e);
    }
  }

  /**
   * A JSON document named on a command line ({@code exec --process}, {@code update
   * --resources}): as {@link #readJson(Path, String)}, but it may also be a pipe, read to its end
   * (a shell's {@code <(...)}, {@code /dev/stdin}), as runc reads one.
   *
   * @throws java.nio.file.NoSuchFileException when it does not exist
   * @throws RefusedException when it is neither a regular file nor a pipe, or is over the limit
   */
  public static byte[] readJsonArgument(Path path, String label) throws IOException {
    try {
      return BoundedFile.readArgument(path, label, BoundedFile.JSON_LIMIT);
    } catch (BoundedFile.RefusedException e) {
      throw new RefusedException(e);
    }
  }

  /** A JSON document read from {@code in} ({@code where} names it), within the runtime's JSON limit. */
  public static byte[] readJson(InputStream in, String label, String where) throws IOException {
    try {
      return BoundedFile.readStream(in, label, where, BoundedFile.JSON_LIMIT);
    } catch (BoundedFile.RefusedException e) {
      throw new RefusedException(e);
    }
  }

  /** A procfs or sysfs file the caller names itself, within the kernel-file limit, as UTF-8. */
  public static String readKernelFile(Path path) throws IOException {
    try {
      return BoundedFile.readKernelFile(path, BoundedFile.KERNEL_LIMIT);
    } catch (BoundedFile.RefusedException e) {
      throw new RefusedException(e);
    }
  }
}
