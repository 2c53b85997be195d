package io.jrunc.core.state;

import java.io.IOException;
import io.jrunc.core.sys.BoundedFile;
import java.nio.file.Path;

/** Reads {@code /proc/<pid>/stat}: the process's state letter, parent and start time. */
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
    String s = read(pid);
    return s == null ? null : parse(s);
  }

  /** The pid of the process's parent (field 4), or -1 when it does not exist. */
  public static int parentPid(int pid) {
    String s = read(pid);
    return s == null ? -1 : parentPid(s);
  }

  private static String read(int pid) {
    if (pid <= 0) return null;
    try {
      return BoundedFile.readKernelFile(Path.of("/proc/" + pid + "/stat"), BoundedFile.KERNEL_LIMIT);
    } catch (IOException e) {
      return null;
    }
  }

  /** One {@code /proc/<pid>/stat} line. */
  static Sample parse(String stat) {
    String[] f = fields(stat);
    // f[0] is field 3 (state); starttime is field 22 -> f[19]
    return new Sample(f[0].charAt(0), Long.parseLong(f[19]));
  }

  static int parentPid(String stat) {
    return Integer.parseInt(fields(stat)[1]); // field 4
  }

  /** Field 3 on: comm is in parentheses and may itself hold spaces and parentheses, so after the last ')'. */
  private static String[] fields(String stat) {
    return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
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
