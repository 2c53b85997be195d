package io.jrunc.core.security;

import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.LibSeccomp;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Sys;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code linux.seccomp} part of {@code features} (runtime-spec features-linux.md): what
 * this runtime accepts and what this kernel supports.
 */
public final class SeccompFeatures {
  private SeccompFeatures() {}

  public static final List<String> ACTIONS = List.of("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
      "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE",
      "SCMP_ACT_TRAP");
  public static final List<String> OPERATORS = List.of("SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE",
      "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE");
  public static final List<String> KNOWN_FLAGS = List.of("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
      "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
  private static final List<String> ARCHS = List.of("SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
      "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_MIPS",
      "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
      "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64", "SCMP_ARCH_S390",
      "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB");

  /** Whether seccomp can be used: libseccomp is installed. */
  public static boolean enabled() {
    return LibSeccomp.available();
  }

  /** The architectures the installed libseccomp knows. */
  public static List<String> archs() {
    List<String> out = new ArrayList<>();
    if (!enabled()) return out;
    for (String a : ARCHS) {
      if (LibSeccomp.archResolveName(a.substring(10).toLowerCase(Locale.ROOT)) != 0) out.add(a);
    }
    return out;
  }

  /**
   * The flags this kernel accepts: {@code seccomp(SET_MODE_FILTER, flag, NULL)} fails with
   * EFAULT (the NULL program) when the flag is known and EINVAL when it is not. TSYNC is
   * always "supported": we accept and ignore it.
   */
  public static List<String> supportedFlags() {
    List<String> out = new ArrayList<>();
    out.add("SECCOMP_FILTER_FLAG_TSYNC");
    long[] bits = {SeccompCompiler.FLAG_LOG, SeccompCompiler.FLAG_SPEC_ALLOW, SeccompCompiler.FLAG_WAIT_KILLABLE_RECV};
    for (int i = 0; i < bits.length; i++) {
      long flags = bits[i] == SeccompCompiler.FLAG_WAIT_KILLABLE_RECV
          ? bits[i] | SeccompCompiler.FLAG_NEW_LISTENER // only valid together with NEW_LISTENER
          : bits[i];
      long r = Libc.syscallRaw(Sys.SECCOMP, SeccompSetup.SECCOMP_SET_MODE_FILTER, flags, 0, 0, 0, 0);
      if (r == -Errno.EFAULT) out.add(KNOWN_FLAGS.get(i + 1));
    }
    return out;
  }
}
