package io.jrunc.core.process;

import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.rootfs.ContainerTree;
import io.jrunc.core.sys.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds the container's executable before the child is started, the way runc's init does
 * (Go's {@code exec.LookPath} with the container's PATH, inside the container once its mounts
 * and masks are in place: here in the {@link ContainerTree} they will make), so that "not
 * found" is reported by {@code create} and not lost after {@code start}. The wording is runc's:
 * docker maps "executable file not found" and "no such file or directory" to exit 127,
 * "permission denied" to 126.
 */
public final class ExecutableLookup {
  private ExecutableLookup() {}

  /**
   * @param mountDestinations the config's mount destinations: a path the tree shows nothing of
   *     (a filesystem that starts empty or the kernel fills) is taken as it is when it is one
   *     of them or, for an absolute path, lies under one (e.g. a tmpfs with tmpcopyup)
   */
  public static String find(ContainerTree tree, String arg0, List<String> env, String cwd, List<String> mountDestinations)
      throws SetupFailure {
    try {
      if (arg0.contains("/")) {
        String abs = arg0.startsWith("/") ? arg0 : (cwd.endsWith("/") ? cwd : cwd + "/") + arg0;
        Path host = tree.host(abs);
        if (host == null && underMount(abs, mountDestinations)) return abs; // not seen from here: exec will tell
        if (host == null || !Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
          throw new SetupFailure("exec: \"" + arg0 + "\": stat " + arg0 + ": no such file or directory", Errno.ENOENT, null);
        }
        if (Files.isDirectory(host) || !Files.isExecutable(host)) {
          throw new SetupFailure("exec: \"" + arg0 + "\": permission denied", Errno.EACCES, null);
        }
        return abs;
      }
      String path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
      if (env != null) {
        for (String e : env) if (e.startsWith("PATH=")) path = e.substring(5);
      }
      for (String dir : path.split(":")) {
        if (dir.isEmpty()) dir = ".";
        String cand = dir.startsWith("/") ? dir + "/" + arg0 : (cwd.endsWith("/") ? cwd : cwd + "/") + dir + "/" + arg0;
        Path host;
        try {
          host = tree.host(cand);
        } catch (IOException loop) {
          continue; // a symlink loop on the way: not this entry, as LookPath skips what it cannot stat
        }
        if (host != null ? isExecutable(host) : mountDestinations.contains(cand)) return cand;
      }
      throw new SetupFailure("exec: \"" + arg0 + "\": executable file not found in $PATH", Errno.ENOENT, null);
    } catch (IOException e) {
      throw new SetupFailure("exec: \"" + arg0 + "\": " + e.getMessage(), Errno.ELOOP, e);
    }
  }

  /**
   * A regular file with an execute bit (what LookPath takes). The tree resolved its symlinks, so
   * java.io's stat, which follows one, sees the same file as an lstat; and it answers false for
   * a missing candidate (most of a PATH walk) where NIO throws and catches two exceptions.
   */
  private static boolean isExecutable(Path p) {
    return new java.io.File(p.toString()).isFile() && Files.isExecutable(p);
  }

  private static boolean underMount(String path, List<String> destinations) {
    for (String d : destinations) {
      String dd = d.startsWith("/") ? d : "/" + d;
      if (path.equals(dd) || path.startsWith(dd.endsWith("/") ? dd : dd + "/")) return true;
    }
    return false;
  }
}
