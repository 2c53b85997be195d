package io.jrunc.core.state;

import java.io.IOException;
import io.jrunc.core.sys.BoundedFile;
import java.nio.file.Path;

/** Reads {@code /proc/<pid>/stat}: the process's state letter and start time. */
public final class ProcStat {
  private ProcStat() {}

  /** {state, starttime} or null when the process does not exist. */
  public static Object[] read(int pid) {
    if (pid <= 0) return null;
    String s;
    try {
      s = BoundedFile.readKernelFile(Path.of("/proc/" + pid + "/stat"), BoundedFile.KERNEL_LIMIT);
    } catch (IOException e) {
      return null;
    }
    // comm is in parentheses and may itself contain spaces and parentheses: split after the last ')'
    int close = s.lastIndexOf(')');
    String[] f = s.substring(close + 2).trim().split(" ");
    // f[0] is field 3 (state); starttime is field 22 -> f[19]
    return new Object[] {f[0].charAt(0), Long.parseLong(f[19])};
  }

  /** The start time, or -1 if the process is gone. */
  public static long startTime(int pid) {
    Object[] r = read(pid);
    return r == null ? -1 : (long) r[1];
  }

  /** True when {@code pid} is alive (not a zombie) and is the process that started at {@code startTime}. */
  public static boolean isAlive(int pid, long startTime) {
    Object[] r = read(pid);
    if (r == null) return false;
    char st = (char) r[0];
    return st != 'Z' && st != 'X' && (long) r[1] == startTime;
  }
}
