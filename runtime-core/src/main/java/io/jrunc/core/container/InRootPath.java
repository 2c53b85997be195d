package io.jrunc.core.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Resolves a path as the container will see it, from the host, without ever leaving the
 * rootfs: symlinks are followed with the rootfs as {@code /} (like openat2's
 * {@code RESOLVE_IN_ROOT}), and {@code ..} stops at the root. Used in the parent for planning
 * (finding the executable); the child's own resolution uses openat2.
 */
public final class InRootPath {
  private InRootPath() {}

  /** The host path of {@code path} inside {@code root}; the result may not exist. */
  public static Path resolve(Path root, String path) throws IOException {
    Deque<String> todo = new ArrayDeque<>();
    push(todo, path);
    Deque<String> done = new ArrayDeque<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String c = todo.pop();
      if (c.isEmpty() || c.equals(".")) continue;
      if (c.equals("..")) {
        if (!done.isEmpty()) done.removeLast();
        continue;
      }
      Path host = join(root, done).resolve(c);
      if (Files.isSymbolicLink(host)) {
        if (++links > 40) throw new IOException("too many levels of symbolic links: " + path);
        String target = Files.readSymbolicLink(host).toString();
        if (target.startsWith("/")) done.clear();
        push(todo, target);
      } else {
        done.addLast(c);
      }
    }
    return join(root, done);
  }

  private static void push(Deque<String> todo, String path) {
    String[] parts = path.split("/");
    for (int i = parts.length - 1; i >= 0; i--) todo.push(parts[i]);
  }

  private static Path join(Path root, Deque<String> parts) {
    Path p = root;
    for (String s : parts) p = p.resolve(s);
    return p;
  }

  /** True when the host path is a regular file with an execute bit. */
  static boolean isExecutable(Path p) {
    return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.isExecutable(p);
  }
}
