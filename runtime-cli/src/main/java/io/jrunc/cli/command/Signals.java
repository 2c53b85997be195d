package io.jrunc.cli.command;

import io.jrunc.cli.args.UsageException;
import java.util.Locale;

/**
 * Decodes the signal argument of {@code kill}: a decimal number ({@code 9}, containerd and
 * podman), or a name with or without the {@code SIG} prefix ({@code KILL}, {@code SIGKILL},
 * CRI-O and the OCI validation suite), case-insensitive, plus glibc's real-time names
 * ({@code RTMIN}, {@code RTMIN+3}, {@code RTMAX-1}).
 *
 * <p>Numbers are the generic Linux ones (signal(7)), the same on x86_64 and aarch64. Real-time
 * signals follow glibc and kill(1): SIGRTMIN is 34 (the kernel's 32 and 33 are reserved by
 * NPTL), SIGRTMAX 64.
 */
public final class Signals {
  private Signals() {}

  /** glibc's SIGRTMIN. */
  public static final int RTMIN = 34;

  /** SIGRTMAX (_NSIG - 1). */
  public static final int RTMAX = 64;

  /**
   * @return the signal number, 0..64
   * @throws UsageException {@code unknown signal "X"} (runc's wording)
   */
  public static int parse(String text) throws UsageException {
    String s = text.trim();
    if (!s.isEmpty() && Character.isDigit(s.charAt(0))) {
      try {
        int n = Integer.parseInt(s);
        if (n >= 0 && n <= RTMAX) { // 0: only checks that the container runs (runc accepts it)
          return n;
        }
      } catch (NumberFormatException e) {
        // fall through to the error
      }
      throw unknown(text);
    }
    // a name in capitals already (KILL, SIGTERM: as engines send them) is its own upper case;
    // toUpperCase(Locale.ROOT) would initialise Locale on the call
    String name = upperAscii(s) ? s : s.toUpperCase(Locale.ROOT);
    if (name.startsWith("SIG")) {
      name = name.substring(3);
    }
    int n = byName(name);
    if (n < 0) {
      throw unknown(text);
    }
    return n;
  }

  private static boolean upperAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c != '+' && c != '-') return false;
    }
    return true;
  }

  private static int byName(String name) {
    int rt = realtime(name);
    if (rt != 0) {
      return rt;
    }
    return switch (name) {
      case "HUP" -> 1;
      case "INT" -> 2;
      case "QUIT" -> 3;
      case "ILL" -> 4;
      case "TRAP" -> 5;
      case "ABRT", "IOT" -> 6;
      case "BUS" -> 7;
      case "FPE" -> 8;
      case "KILL" -> 9;
      case "USR1" -> 10;
      case "SEGV" -> 11;
      case "USR2" -> 12;
      case "PIPE" -> 13;
      case "ALRM" -> 14;
      case "TERM" -> 15;
      case "STKFLT" -> 16;
      case "CHLD", "CLD" -> 17;
      case "CONT" -> 18;
      case "STOP" -> 19;
      case "TSTP" -> 20;
      case "TTIN" -> 21;
      case "TTOU" -> 22;
      case "URG" -> 23;
      case "XCPU" -> 24;
      case "XFSZ" -> 25;
      case "VTALRM" -> 26;
      case "PROF" -> 27;
      case "WINCH" -> 28;
      case "IO", "POLL" -> 29;
      case "PWR" -> 30;
      case "SYS" -> 31;
      default -> -1;
    };
  }

  /** RTMIN, RTMIN+n, RTMAX, RTMAX-n within 34..64; 0 if not a real-time name; -1 if out of range. */
  private static int realtime(String name) {
    int base;
    String rest;
    int sign;
    if (name.startsWith("RTMIN")) {
      base = RTMIN;
      rest = name.substring(5);
      sign = 1;
    } else if (name.startsWith("RTMAX")) {
      base = RTMAX;
      rest = name.substring(5);
      sign = -1;
    } else {
      return 0;
    }
    if (rest.isEmpty()) {
      return base;
    }
    char op = rest.charAt(0);
    if ((sign == 1 && op != '+') || (sign == -1 && op != '-')) {
      return -1;
    }
    try {
      int n = base + sign * Integer.parseInt(rest.substring(1));
      return n >= RTMIN && n <= RTMAX ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static UsageException unknown(String text) {
    return new UsageException("unknown signal \"" + text + "\"");
  }
}
