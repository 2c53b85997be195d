package io.jrunc.core.state;

import java.io.IOException;
import io.jrunc.core.sys.BoundedFile;
import java.nio.file.Path;

/** Reads {@code /proc/<pid>/stat}: the process's state letter and start time. */
public final class ProcStat {
  private ProcStat() {}

  /**
   * Fields 3 and 22 of proc(5) {@code /proc/<pid>/stat}.
   *
   * @param state R, S, D, T, t, Z, X, ...
   * @param startTime clock ticks after boot at which the process started
   */
  public record Sample(char state, long startTime) {}

  /** The process's state and start time, or null when it does not exist. */
  public static Sample sample(int pid) {
    if (pid <= 0) return null;
    String s;
    try {
      s = BoundedFile.readKernelFile(Path.of("/proc/" + pid + "/stat"), BoundedFile.KERNEL_LIMIT);
    } catch (IOException e) {
      return null;
    }
    return parse(s);
  }

  /** One {@code /proc/<pid>/stat} line. */
  static Sample parse(String stat) {
    // comm is in parentheses and may itself contain spaces and parentheses: split after the last ')'
    int close = stat.lastIndexOf(')');
    String[] f = stat.substring(close + 2).trim().split(" ");
    // f[0] is field 3 (state); starttime is field 22 -> f[19]
    return new Sample(f[0].charAt(0), Long.parseLong(f[19]));
  }

  /** The start time, or -1 if the process is gone. */
  public static long startTime(int pid) {
    Sample s = sample(pid);
    return s == null ? -1 : s.startTime();
  }

  /** True when {@code pid} is alive (not a zombie) and is the process that started at {@code startTime}. */
  public static boolean isAlive(int pid, long startTime) {
    return isAlive(sample(pid), startTime);
  }

  /**
   * True when {@code s} (null: no such pid) is a live process that started at {@code startTime}:
   * a zombie has exited, and a pid with another start time was reused by another process.
   */
  public static boolean isAlive(Sample s, long startTime) {
    return s != null && s.state() != 'Z' && s.state() != 'X' && s.startTime() == startTime;
  }
}
