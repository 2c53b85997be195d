package io.jrunc.core.sys;

/**
 * The one place that knows which CPU we run on. The trampoline's machine code and the
 * syscall numbers differ per architecture; everything else in the runtime is portable.
 * x86-64 is implemented; aarch64 is one more encoding here (svc #0, x8 holds the number).
 */
public enum Arch {
  X86_64;

  private static final Arch CURRENT = detect();

  private static Arch detect() {
    String a = System.getProperty("os.arch", "");
    return switch (a) {
      case "amd64", "x86_64" -> X86_64;
      default -> null;
    };
  }

  /** The running architecture, or an error that says it is not supported. */
  public static Arch current() {
    if (CURRENT == null) {
      throw new UnsupportedOperationException("jrunc does not support the " + System.getProperty("os.arch")
          + " architecture yet: the spawn trampoline is implemented for x86-64 only");
    }
    return CURRENT;
  }

  public int nr(Sys s) {
    return switch (this) {
      case X86_64 -> s.x86_64();
    };
  }

  /** The AUDIT_ARCH_* value seccomp filters check against. */
  public int auditArch() {
    return switch (this) {
      case X86_64 -> 0xC000003E;
    };
  }
}
