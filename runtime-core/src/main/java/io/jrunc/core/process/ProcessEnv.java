package io.jrunc.core.process;

import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.rootfs.ContainerTree;
import io.jrunc.core.sys.BoundedFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The environment a container process gets, as runc prepares it: of a name given twice the
 * last one wins (in its place), and HOME, when missing or empty, comes from the user's entry
 * in the container's {@code /etc/passwd} ({@code /} without one). Shells and programs rely on
 * HOME; runc's own tests check both rules.
 */
public final class ProcessEnv {
  private ProcessEnv() {}

  public static List<String> prepare(List<String> env, Path root, long uid) throws SetupFailure {
    return withHome(merge(env), root, uid);
  }

  /**
   * The environment with each name once, the last one given winning in its place, and an empty
   * HOME dropped (so {@link #withHome} fills it). No file is read: create plans with this (the
   * PATH its executable lookup uses) and adds HOME last.
   */
  public static List<String> merge(List<String> env) {
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    List<String> given = env == null ? List.of() : env;
    for (int i = given.size() - 1; i >= 0; i--) {
      String kv = given.get(i);
      int eq = kv.indexOf('=');
      String name = eq < 0 ? kv : kv.substring(0, eq);
      if (!seen.add(name)) continue;
      if (name.equals("HOME") && !(eq >= 0 && eq < kv.length() - 1)) continue; // an empty HOME is replaced
      out.add(kv);
    }
    Collections.reverse(out);
    return out;
  }

  /** A {@link #merge merged} environment, with HOME from {@code root}'s /etc/passwd when it has none (exec: the running container's root). */
  public static List<String> withHome(List<String> merged, Path root, long uid) throws SetupFailure {
    return withHome(merged, new ContainerTree.Located(root, "/etc/passwd"), uid);
  }

  /**
   * As {@link #withHome(List, Path, long)}, with the /etc/passwd the container will see: a bind
   * mount of it, or of /etc, is read; a masked /etc gives none (create, planning).
   */
  public static List<String> withHome(List<String> merged, ContainerTree tree, long uid) throws SetupFailure {
    for (String kv : merged) if (kv.startsWith("HOME=")) return merged;
    ContainerTree.Located passwd;
    try {
      passwd = tree.locate("/etc/passwd");
    } catch (IOException e) {
      passwd = null; // a symlink loop on the way: no file, runc's default
    }
    return withHome(merged, passwd, uid);
  }

  private static List<String> withHome(List<String> merged, ContainerTree.Located passwd, long uid) throws SetupFailure {
    for (String kv : merged) if (kv.startsWith("HOME=")) return merged;
    List<String> out = new ArrayList<>(merged);
    out.add("HOME=" + (passwd == null ? "/" : homeOf(passwd, uid)));
    return out;
  }

  /**
   * The home directory of {@code uid} in the passwd file {@code passwd} names, resolved by the
   * kernel inside its directory (a link in the image cannot lead to a host file). The file is the image's:
   * it is read line by line within {@link BoundedFile}'s limits, and one that is not a regular
   * file or is over them is an error (runc fails on a line too long for its scanner too).
   * A missing or unreadable file gives runc's default, {@code /}.
   */
  static String homeOf(ContainerTree.Located passwd, long uid) throws SetupFailure {
    String id = Long.toString(uid);
    String[] home = {null};
    try {
      BoundedFile.scanLinesInRoot(passwd.root(), passwd.inRoot(), "/etc/passwd", BoundedFile.ACCOUNTS_LIMIT, BoundedFile.LINE_LIMIT,
          line -> {
            String[] f = line.split(":", -1);
            if (f.length >= 6 && f[2].equals(id) && !f[5].isEmpty()) home[0] = f[5];
            return home[0] != null;
          });
    } catch (BoundedFile.RefusedException e) {
      throw new SetupFailure("look up the HOME of uid " + uid + ": " + e.getMessage(), 0, e);
    } catch (IOException | RuntimeException e) {
      // missing or unreadable: runc's default
    }
    return home[0] == null ? "/" : home[0];
  }
}
