package io.jrunc.core.state;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Reads {@code /proc/<pid>/stat}: the process's state letter, parent and start time. */
public final class ProcStat {
  private ProcStat() {}

  /**
   * The most a stat line is read to: ~50 numbers of at most 20 digits and a command name of at
   * most 16 bytes (TASK_COMM_LEN) are ~1.1 KB; a longer read is no stat line and counts as none.
   */
  private static final int LIMIT = 4096;

  /**
   * Fields 3, 22 and 4 of proc(5) {@code /proc/<pid>/stat}.
   *
   * @param state R, S, D, T, t, Z, X, ...
   * @param startTime clock ticks after boot at which the process started
   * @param parent the parent's pid (-1 where not read)
   */
  public record Sample(char state, long startTime, int parent) {
    public Sample(char state, long startTime) {
      this(state, startTime, -1);
    }
  }

  /** The process's state, start time and parent, or null when it does not exist. */
  public static Sample sample(int pid) {
    if (pid <= 0) return null;
    // One read into a buffer of its own: kill, state and delete read this file two to four times
    // each, and the bounded reader's general path (its size probes, a String, a split into ~50
    // fields) cost a cold, interpreted JVM ~0.1-0.2 ms per read.
    byte[] b = new byte[LIMIT];
    int n = 0;
    try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
      for (int r; n < b.length && (r = in.read(b, n, b.length - n)) > 0; ) n += r;
    } catch (IOException e) {
      return null; // gone (or never was)
    }
    return n == b.length ? null : parse(b, n);
  }

  /** The pid of the process's parent (field 4), or -1 when it does not exist. */
  public static int parentPid(int pid) {
    Sample s = sample(pid);
    return s == null ? -1 : s.parent();
  }

  /** One {@code /proc/<pid>/stat} line. */
  static Sample parse(String stat) {
    byte[] b = stat.getBytes(StandardCharsets.ISO_8859_1);
    return parse(b, b.length);
  }

  static int parentPid(String stat) {
    return parse(stat).parent();
  }

  /**
   * Field 3 on: comm (field 2) is in parentheses and may itself hold spaces and parentheses, so
   * the fields start after the last ')'; after it one space separates each field.
   *
   * @throws IllegalArgumentException when {@code b} is no stat line
   */
  private static Sample parse(byte[] b, int n) {
    int i = n - 1;
    while (i >= 0 && b[i] != ')') i--;
    if (i < 0 || i + 2 >= n) throw new IllegalArgumentException("not a /proc/<pid>/stat line");
    char state = (char) b[i + 2];
    long parent = -1, start = -1;
    int field = 3;
    for (int p = i + 3; p < n && field < 22; p++) {
      if (b[p] != ' ') continue;
      field++;
      if (field == 4) parent = number(b, p + 1, n);
      else if (field == 22) start = number(b, p + 1, n);
    }
    if (parent < 0 || start < 0) throw new IllegalArgumentException("not a /proc/<pid>/stat line");
    return new Sample(state, start, (int) parent);
  }

  /** The unsigned decimal at {@code from}, or -1 when none is there. */
  private static long number(byte[] b, int from, int n) {
    long v = 0;
    int p = from;
    for (; p < n && b[p] >= '0' && b[p] <= '9'; p++) v = v * 10 + (b[p] - '0');
    return p == from ? -1 : v;
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
