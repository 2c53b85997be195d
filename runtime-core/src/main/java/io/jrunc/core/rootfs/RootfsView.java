package io.jrunc.core.rootfs;

import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Stat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * The container's tree as the planned mounts will make it, read from the host before clone, so
 * that every check on a mount, masked path or device is made on the place the child will really
 * act on (CVE-2019-16884 class: an image symlink {@code /pp -> /proc} must not make a bind
 * mount to {@code /pp} land on the container's procfs after a lexical check saw {@code /pp}).
 *
 * <p>{@link #resolve} walks a container path as {@code openat2(RESOLVE_IN_ROOT)} does: a symlink
 * is followed with the container's root as {@code /} (an absolute target restarts at it, a
 * relative one continues from the link's directory), {@code ..} stops at the root, and at most
 * {@value #MAX_LINKS} symlinks are followed (the kernel's MAXSYMLINKS). The missing tail of a
 * path (a dangling symlink's target) is part of the result, never an error. Each component is
 * looked up in the layer that will cover it: the rootfs, or an earlier mount's bind source
 * (a symlink in it is followed inside the container too), or a filesystem that starts empty
 * (tmpfs, procfs, ...), which holds no symlink. The result is a clean absolute container path
 * without symlinks in what exists of it: the child opens exactly it, refusing any symlink on the
 * way (RESOLVE_NO_SYMLINKS), so what it mounts on is what was checked here. The one exception
 * is a filesystem the kernel fills (procfs, sysfs, cgroupfs): its symlinks ({@code /proc/net ->
 * self/net}, {@code /sys/class/net/lo -> ../../devices/...}) are not the image's, are not seen
 * here, and are followed by the child inside it ({@link #inKernelFs}).
 */
public final class RootfsView {
  static final int MAX_LINKS = 40;

  /**
   * A mount at {@code dest} (a clean container path) whose content is {@code host}, or nothing
   * the view can see when null; {@code kernel} for a filesystem the kernel fills.
   */
  private record Layer(String dest, Path host, boolean kernel) {}

  private final List<Layer> layers = new ArrayList<>();
  /**
   * Each destination's last layer (its index), for {@link #layerOf} once there are more than
   * {@link #SCAN_LAYERS}: a config with thousands of mounts made the scan of every layer, per
   * component of every path planning resolves, cost seconds (O(mounts²)).
   */
  private final java.util.HashMap<String, Integer> lastByDest = new java.util.HashMap<>();
  /** Up to this many layers (any real container) the scan is cheaper than the map's look-ups. */
  private static final int SCAN_LAYERS = 64;

  /** The rootfs alone, as the host sees it at {@code rootfs}. */
  public RootfsView(Path rootfs) {
    add(new Layer("/", rootfs, false));
  }

  private void add(Layer l) {
    layers.add(l);
    lastByDest.put(l.dest, layers.size() - 1);
  }

  /** A bind mount at {@code dest} of the host directory or file {@code source} (its real path). */
  void bind(String dest, Path source) {
    add(new Layer(dest, source, false));
  }

  /** A new filesystem at {@code dest} that starts empty (tmpfs, devpts, mqueue): no symlink below it. */
  void fresh(String dest) {
    add(new Layer(dest, null, false));
  }

  /** A filesystem the kernel fills at {@code dest} (procfs, sysfs, cgroupfs): its own symlinks are not seen. */
  void kernel(String dest) {
    add(new Layer(dest, null, true));
  }

  /**
   * True when {@code resolved} lies in a filesystem the kernel fills, whose symlinks the child
   * may follow. A mount point is in the filesystem that holds it, not in the one mounted on it.
   */
  boolean inKernelFs(String resolved) {
    Layer l = layerOf(resolved);
    if (l.dest.equals(resolved) && !resolved.equals("/")) {
      l = layerOf(resolved.substring(0, Math.max(1, resolved.lastIndexOf('/'))));
    }
    return l.kernel;
  }

  /** The host path of a resolved container path, or null when it lies in a fresh filesystem. */
  public Path host(String resolved) {
    return host(layerOf(resolved), resolved);
  }

  /**
   * {@link #host} as the layer's own directory and the path inside it, for a read that must not
   * leave it; null where {@link #host} is. A file bound onto its destination is its directory
   * and its name.
   */
  ContainerTree.Located locate(String resolved) {
    Layer l = layerOf(resolved);
    if (l.host == null) return null;
    if (l.dest.equals("/")) return new ContainerTree.Located(l.host, resolved);
    String rest = resolved.substring(Math.min(resolved.length(), l.dest.length()));
    if (!rest.isEmpty()) return new ContainerTree.Located(l.host, rest);
    Path dir = l.host.getParent();
    return dir == null ? new ContainerTree.Located(l.host, "/") : new ContainerTree.Located(dir, "/" + l.host.getFileName());
  }

  private static Path host(Layer l, String resolved) {
    if (l.host == null) return null;
    String rest = l.dest.equals("/") ? resolved.substring(1) : resolved.substring(Math.min(resolved.length(), l.dest.length() + 1));
    return rest.isEmpty() ? l.host : l.host.resolve(rest);
  }

  /** The last mount whose destination holds {@code path} (later mounts cover earlier ones). */
  private Layer layerOf(String path) {
    if (layers.size() > SCAN_LAYERS) {
      // the latest layer among those at path itself and at each of its parents, "/" included
      int best = lastByDest.getOrDefault("/", 0);
      Integer at = lastByDest.get(path);
      if (at != null) best = Math.max(best, at);
      for (int k = path.lastIndexOf('/'); k > 0; k = path.lastIndexOf('/', k - 1)) {
        at = lastByDest.get(path.substring(0, k));
        if (at != null) best = Math.max(best, at);
      }
      return layers.get(best);
    }
    for (int i = layers.size() - 1; i >= 0; i--) {
      Layer l = layers.get(i);
      String d = l.dest;
      // d is "/", path itself, or a parent of it (no "d/" made per layer and component: this runs
      // interpreted in every cold create, once per component of every path planning resolves)
      if (d.equals("/") || (path.startsWith(d) && (path.length() == d.length() || path.charAt(d.length()) == '/'))) {
        return l;
      }
    }
    throw new IllegalStateException("no layer for " + path); // the rootfs layer holds every path
  }

  /**
   * {@code path} (absolute, or relative to {@code /}) resolved in the container's tree: a clean
   * absolute path. Throws when more than {@value #MAX_LINKS} symlinks are met.
   */
  public String resolve(String path) throws IOException {
    return resolve(path, null);
  }

  /** {@link #resolve(String)}, adding to {@code noted} (when not null) each path it looked at on the way. */
  String resolve(String path, java.util.List<String> noted) throws IOException {
    // A clean path in a filesystem the view shows nothing of (one that starts empty, or one the
    // kernel fills) is its own resolution: its layer is the last whose destination holds it, so
    // every component from that destination down lies in the same layer, where no symlink is
    // seen; and the destination was itself resolved when the layer was added, by then over the
    // same layers above it (a layer added later over one of those would hold the path too, and
    // be its layer). Most paths planning resolves are such (the masked and read-only paths in
    // /proc and /sys, the devices in /dev): the walk below took ~20 us apiece, interpreted.
    if (MountSteps.isClean(path) && path.length() > 1) {
      Layer l = layerOf(path);
      if (l.host == null && !l.dest.equals("/")) {
        if (noted != null) noted.add(path);
        return path;
      }
    }
    Deque<String> todo = new ArrayDeque<>();
    push(todo, path);
    // the path resolved so far, "/a/b" ("" for the root), and its length before each component
    // (grown in place, not joined again per component)
    StringBuilder done = new StringBuilder(path.length() + 16);
    int[] ends = new int[16];
    int depth = 0;
    int links = 0;
    // The first component found missing (its depth, and its layer): what lies below it in the
    // same layer is missing too, and is not looked up (NIO's lstat of a missing path throws and
    // catches two exceptions, ~30 us interpreted; an executable's PATH walk met 16 per create).
    int missingDepth = Integer.MAX_VALUE;
    Layer missingLayer = null;
    while (!todo.isEmpty()) {
      String c = todo.pop();
      if (c.isEmpty() || c.equals(".")) continue;
      if (c.equals("..")) {
        if (depth > 0) done.setLength(ends[--depth]);
        if (depth < missingDepth) missingLayer = null;
        continue;
      }
      if (depth == ends.length) ends = Arrays.copyOf(ends, 2 * depth);
      ends[depth++] = done.length();
      done.append('/').append(c);
      String at = done.toString();
      if (noted != null) noted.add(at);
      Layer layer = layerOf(at);
      Path host = layer == missingLayer ? null : host(layer, at);
      // one lstat: missing (or not to be looked up: EACCES, ENOTDIR), a symlink, or what is walked
      // through (exists() and isSymbolicLink() made two calls). Through NIO while jrunc's syscall
      // entry is not linked (a CLI create plans while it is linked on the other core), through
      // it once it is: NIO throws and catches two exceptions for a missing file, ~10 a warm
      // create (the executable's PATH walk, HOME), each a stack trace.
      boolean link = false;
      if (host != null) {
        int type = lstatType(host, Libc.linked());
        if (type < 0) {
          missingDepth = depth;
          missingLayer = layer;
        } else {
          link = type == Stat.S_IFLNK;
        }
      }
      if (link) {
        if (++links > MAX_LINKS) throw new IOException("too many levels of symbolic links (ELOOP)");
        String target = readLink(host);
        done.setLength(ends[--depth]);
        if (target.startsWith("/")) {
          done.setLength(0);
          depth = 0;
        }
        if (depth < missingDepth) missingLayer = null;
        push(todo, target);
      }
    }
    return done.isEmpty() ? "/" : done.toString();
  }

  /**
   * {@link Stat#S_IFLNK} when {@code host} is a symbolic link, another non-negative number when
   * it is something else, negative when it cannot be looked at (missing, EACCES, ENOTDIR):
   * through the system call, or through NIO.
   */
  static int lstatType(Path host, boolean viaSyscall) {
    if (viaSyscall) return Stat.typeNoFollow(host.toString());
    try {
      return Files.readAttributes(host, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isSymbolicLink() ? Stat.S_IFLNK : 0;
    } catch (IOException missing) {
      return -1;
    }
  }

  /**
   * The target of {@code host}, which lstat just saw as a symlink. A rootfs another process
   * shares (a volume of another container) may have swapped it for something else since: NIO
   * then names only the path (NotLinkException, NoSuchFileException), which says nothing of why.
   */
  static String readLink(Path host) throws IOException {
    try {
      return Files.readSymbolicLink(host).toString();
    } catch (NotLinkException | NoSuchFileException e) {
      throw new IOException(host + " changed while it was resolved (a symbolic link, then "
          + (e instanceof NoSuchFileException ? "gone" : "no longer one") + ")", e);
    }
  }

  private static void push(Deque<String> todo, String path) {
    String[] parts = path.split("/");
    for (int i = parts.length - 1; i >= 0; i--) todo.push(parts[i]);
  }
}
