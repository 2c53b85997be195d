package io.jrunc.core.process;

/** RLIMIT_* names to numbers (asm-generic, the same on x86-64 and aarch64). */
final class Rlimits {
  private Rlimits() {}

  static final String[] NAMES = {"RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE",
      "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
      "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME"};

  static int number(String name) {
    for (int i = 0; i < NAMES.length; i++) if (NAMES[i].equals(name)) return i;
    throw new IllegalArgumentException("unknown rlimit " + name);
  }
}
