package io.jrunc.core.rootfs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The container's files as its process will find them, read from the host before clone: the
 * tree the planned mounts make ({@link RootfsView}), with the masked paths empty. create looks
 * the executable up on PATH and HOME up in /etc/passwd here, where runc's init looks them up
 * inside the container after its mounts and masks: a tool in a bind-mounted directory is found,
 * one a tmpfs hides is not (the next PATH entry is tried), and a bind-mounted /etc/passwd gives
 * HOME. An exec looks up in the running container itself ({@link #of} its /proc/PID/root).
 */
public final class ContainerTree {
  private final RootfsView view;
  /** Resolved masked paths: what lies at or below one shows nothing. */
  private final List<String> masked;

  /** Where {@link #resolve} adds each path it looks at; null: nowhere. */
  private final List<String> noted;

  ContainerTree(RootfsView view, List<String> masked) {
    this(view, masked, null);
  }

  private ContainerTree(RootfsView view, List<String> masked, List<String> noted) {
    this.view = view;
    this.masked = masked;
    this.noted = noted;
  }

  /** The tree under {@code root} alone: no mounts planned (no mount namespace, or a running container's root). */
  public static ContainerTree of(Path root) {
    return new ContainerTree(new RootfsView(root), List.of());
  }

  /**
   * The host path of {@code path} (absolute) as the container resolves it, or null where the
   * host shows nothing of it: a masked path, or a filesystem that starts empty or that the
   * kernel fills. The result may not exist.
   */
  public Path host(String path) throws IOException {
    String resolved = resolve(path);
    return isMasked(resolved) ? null : view.host(resolved);
  }

  /**
   * The same tree, noting each path it resolves: a lookup made in the image alone, before the
   * mounts are planned, is still the answer unless a mount or masked path lies at or above one
   * of them ({@link RootfsSetup#covers}).
   */
  public ContainerTree noting(List<String> resolved) {
    return new ContainerTree(view, masked, resolved);
  }

  private String resolve(String path) throws IOException {
    return view.resolve(path, noted); // every path on the way: a symlink's own place too
  }

  /**
   * Where to open {@code path} without leaving the layer it lies in: a directory of the host and
   * the path below it, for an {@code openat2(RESOLVE_IN_ROOT)} read. Null as for {@link #host}.
   */
  public Located locate(String path) throws IOException {
    String resolved = resolve(path);
    return isMasked(resolved) ? null : view.locate(resolved);
  }

  /** A directory on the host, and a path inside it ({@code /etc/passwd}, {@code /passwd}). */
  public record Located(Path root, String inRoot) {}

  private boolean isMasked(String resolved) {
    for (String m : masked) if (atOrBelow(resolved, m)) return true;
    return false;
  }

  /** Whether the clean path {@code path} is {@code dir} or lies below it ({@code /} holds every path). */
  static boolean atOrBelow(String path, String dir) {
    return dir.equals("/") || path.equals(dir) || (path.startsWith(dir) && path.charAt(dir.length()) == '/');
  }
}
