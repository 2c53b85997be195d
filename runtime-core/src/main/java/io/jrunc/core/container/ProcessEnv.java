package io.jrunc.core.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
final class ProcessEnv {
  private ProcessEnv() {}

  static List<String> prepare(List<String> env, Path root, long uid) {
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    boolean home = false;
    List<String> given = env == null ? List.of() : env;
    for (int i = given.size() - 1; i >= 0; i--) {
      String kv = given.get(i);
      int eq = kv.indexOf('=');
      String name = eq < 0 ? kv : kv.substring(0, eq);
      if (!seen.add(name)) continue;
      if (name.equals("HOME") && eq >= 0 && eq < kv.length() - 1) home = true;
      if (name.equals("HOME") && !home) continue; // an empty HOME is replaced below
      out.add(kv);
    }
    Collections.reverse(out);
    if (!home) out.add("HOME=" + homeOf(root, uid));
    return out;
  }

  /** The home directory of {@code uid} in {@code root}'s /etc/passwd, resolved inside the root. */
  static String homeOf(Path root, long uid) {
    try {
      Path passwd = InRootPath.resolve(root, "/etc/passwd");
      if (!Files.isRegularFile(passwd)) return "/";
      for (String line : Files.readAllLines(passwd, StandardCharsets.UTF_8)) {
        String[] f = line.split(":", -1);
        if (f.length >= 6 && f[2].equals(Long.toString(uid)) && !f[5].isEmpty()) return f[5];
      }
    } catch (IOException | RuntimeException e) {
      // unreadable or malformed: runc's default
    }
    return "/";
  }
}
