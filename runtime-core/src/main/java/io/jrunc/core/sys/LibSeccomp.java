package io.jrunc.core.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * libseccomp (libseccomp.so.2, Debian package {@code libseccomp2}) through FFM. Used in the
 * parent only: it compiles a filter and exports it as classic BPF; the child just hands those
 * bytes to {@code seccomp(2)}. libseccomp functions return {@code -errno} themselves, so no
 * errno capture is needed.
 *
 * <p>The library is opened on first use (never on start-up paths that have no seccomp
 * section); a host without it gets one clear sentence.
 */
public final class LibSeccomp {
  private LibSeccomp() {}

  // scmp_compare (seccomp.h)
  public static final int SCMP_CMP_NE = 1, SCMP_CMP_LT = 2, SCMP_CMP_LE = 3, SCMP_CMP_EQ = 4,
      SCMP_CMP_GE = 5, SCMP_CMP_GT = 6, SCMP_CMP_MASKED_EQ = 7;

  // scmp_filter_attr (seccomp.h)
  public static final int SCMP_FLTATR_CTL_NNP = 3, SCMP_FLTATR_CTL_OPTIMIZE = 8;

  // Actions (seccomp.h); ERRNO and TRACE carry a 16-bit value in their low bits.
  public static final int SCMP_ACT_KILL_PROCESS = 0x80000000, SCMP_ACT_KILL_THREAD = 0x00000000,
      SCMP_ACT_TRAP = 0x00030000, SCMP_ACT_NOTIFY = 0x7fc00000, SCMP_ACT_LOG = 0x7ffc0000,
      SCMP_ACT_ALLOW = 0x7fff0000;

  public static int actErrno(int errno) {
    return 0x00050000 | (errno & 0xffff);
  }

  public static int actTrace(int msg) {
    return 0x7ff00000 | (msg & 0xffff);
  }

  /** {@code __NR_SCMP_ERROR}: what the resolve functions return for an unknown name. */
  public static final int NR_SCMP_ERROR = -1;

  /** {@code struct scmp_arg_cmp { unsigned int arg; enum scmp_compare op; scmp_datum_t datum_a, datum_b; }} */
  public static final MemoryLayout ARG_CMP = MemoryLayout.structLayout(
      JAVA_INT.withName("arg"), JAVA_INT.withName("op"),
      JAVA_LONG.withName("datum_a"), JAVA_LONG.withName("datum_b"));

  /** Why seccomp cannot be used on a host without the library. */
  public static final String MISSING =
      "seccomp requires libseccomp.so.2, which is not installed (Debian/Ubuntu: apt-get install libseccomp2)";

  private static final class Lib {
    static final SymbolLookup L = open();

    private static SymbolLookup open() {
      try {
        return SymbolLookup.libraryLookup("libseccomp.so.2", Arena.global());
      } catch (IllegalArgumentException e) {
        return null;
      }
    }

    static MethodHandle h(String name, FunctionDescriptor fd) {
      if (L == null) throw new UnsupportedOperationException(MISSING);
      return Native.link(L, name, fd, false);
    }
  }

  /** Whether libseccomp.so.2 can be loaded; check before any other method. */
  public static boolean available() {
    return Lib.L != null;
  }

  /** {@code scmp_filter_ctx seccomp_init(uint32_t def_action);} NULL on failure. */
  private static final class InitH {
    static final MethodHandle H = Lib.h("seccomp_init", FunctionDescriptor.of(ADDRESS, JAVA_INT));
  }

  public static MemorySegment init(int defAction) {
    try {
      return (MemorySegment) InitH.H.invokeExact(defAction);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code void seccomp_release(scmp_filter_ctx ctx);} */
  private static final class ReleaseH {
    static final MethodHandle H = Lib.h("seccomp_release", FunctionDescriptor.ofVoid(ADDRESS));
  }

  public static void release(MemorySegment ctx) {
    try {
      ReleaseH.H.invokeExact(ctx);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code uint32_t seccomp_arch_resolve_name(const char *arch_name);} 0 when unknown. */
  private static final class ArchResolveH {
    static final MethodHandle H = Lib.h("seccomp_arch_resolve_name", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  }

  public static int archResolveName(String name) {
    try (Arena a = Arena.ofConfined()) {
      return (int) ArchResolveH.H.invokeExact(a.allocateFrom(name));
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code uint32_t seccomp_arch_native(void);} */
  private static final class ArchNativeH {
    static final MethodHandle H = Lib.h("seccomp_arch_native", FunctionDescriptor.of(JAVA_INT));
  }

  public static int archNative() {
    try {
      return (int) ArchNativeH.H.invokeExact();
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code int seccomp_arch_add(scmp_filter_ctx ctx, uint32_t arch_token);} 0 or -errno (-EEXIST if present). */
  private static final class ArchAddH {
    static final MethodHandle H = Lib.h("seccomp_arch_add", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  }

  public static int archAdd(MemorySegment ctx, int token) {
    try {
      return (int) ArchAddH.H.invokeExact(ctx, token);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code int seccomp_arch_remove(scmp_filter_ctx ctx, uint32_t arch_token);} 0 or -errno. */
  private static final class ArchRemoveH {
    static final MethodHandle H = Lib.h("seccomp_arch_remove", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  }

  public static int archRemove(MemorySegment ctx, int token) {
    try {
      return (int) ArchRemoveH.H.invokeExact(ctx, token);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code int seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value);} 0 or -errno. */
  private static final class AttrSetH {
    static final MethodHandle H = Lib.h("seccomp_attr_set", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
  }

  public static int attrSet(MemorySegment ctx, int attr, int value) {
    try {
      return (int) AttrSetH.H.invokeExact(ctx, attr, value);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * {@code int seccomp_syscall_resolve_name(const char *name);} The native number, a negative
   * pseudo-number for a syscall the host architecture lacks but another arch has (libseccomp
   * translates it per arch), or {@link #NR_SCMP_ERROR}.
   */
  private static final class ResolveH {
    static final MethodHandle H = Lib.h("seccomp_syscall_resolve_name", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  }

  public static int syscallResolveName(String name) {
    try (Arena a = Arena.ofConfined()) {
      return (int) ResolveH.H.invokeExact(a.allocateFrom(name));
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code int seccomp_syscall_resolve_name_arch(uint32_t arch_token, const char *name);} */
  private static final class ResolveArchH {
    static final MethodHandle H = Lib.h("seccomp_syscall_resolve_name_arch",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  }

  public static int syscallResolveName(int archToken, String name) {
    try (Arena a = Arena.ofConfined()) {
      return (int) ResolveArchH.H.invokeExact(archToken, a.allocateFrom(name));
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * {@code int seccomp_rule_add_array(scmp_filter_ctx ctx, uint32_t action, int syscall,
   * unsigned int arg_cnt, const struct scmp_arg_cmp *arg_array);} 0 or -errno.
   *
   * @param cmps rows of {arg, op, datum_a, datum_b}
   */
  private static final class RuleAddArrayH {
    static final MethodHandle H = Lib.h("seccomp_rule_add_array",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
  }

  public static int ruleAddArray(MemorySegment ctx, int action, int syscall, long[][] cmps) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment arr = cmps.length == 0 ? MemorySegment.NULL : a.allocate(ARG_CMP, cmps.length);
      for (int i = 0; i < cmps.length; i++) {
        long base = i * ARG_CMP.byteSize();
        arr.set(JAVA_INT, base, (int) cmps[i][0]);
        arr.set(JAVA_INT, base + 4, (int) cmps[i][1]);
        arr.set(JAVA_LONG, base + 8, cmps[i][2]);
        arr.set(JAVA_LONG, base + 16, cmps[i][3]);
      }
      return (int) RuleAddArrayH.H.invokeExact(ctx, action, syscall, cmps.length, arr);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code int seccomp_export_bpf(const scmp_filter_ctx ctx, int fd);} 0 or -errno. */
  private static final class ExportBpfH {
    static final MethodHandle H = Lib.h("seccomp_export_bpf", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  }

  /**
   * The filter as an array of {@code struct sock_filter} (8 bytes each). libseccomp 2.5 can
   * only export to an fd ({@code seccomp_export_bpf_mem} is 2.6+), so we export into a memfd
   * and read it back through {@code /proc/self/fd} (a fresh open starts at offset 0).
   */
  public static byte[] exportBpf(MemorySegment ctx) throws IOException {
    long fd;
    try (Arena a = Arena.ofConfined()) {
      // MFD_CLOEXEC (1): a process we spawn meanwhile must not inherit it.
      fd = Libc.syscallRaw(Sys.MEMFD_CREATE, a.allocateFrom("jrunc-seccomp").address(), 1, 0, 0, 0, 0);
    }
    if (fd < 0) throw new SysException("memfd_create", "for the seccomp filter", (int) -fd);
    try {
      int rc;
      try {
        rc = (int) ExportBpfH.H.invokeExact(ctx, (int) fd);
      } catch (Throwable t) {
        throw Native.rethrow(t);
      }
      if (rc < 0) throw new SysException("seccomp_export_bpf", "", -rc);
      // FileInputStream rather than NIO Files: cheaper on a cold JVM (the CLI's case).
      try (var in = new java.io.FileInputStream("/proc/self/fd/" + fd)) {
        return in.readAllBytes();
      }
    } finally {
      Libc.close((int) fd);
    }
  }

  /** {@code const struct scmp_version *seccomp_version(void);} as "major.minor.micro". */
  private static final class VersionH {
    static final MethodHandle H = Lib.h("seccomp_version", FunctionDescriptor.of(ADDRESS));
  }

  public static String version() {
    try {
      MemorySegment v = ((MemorySegment) VersionH.H.invokeExact()).reinterpret(12);
      return v.get(JAVA_INT, 0) + "." + v.get(JAVA_INT, 4) + "." + v.get(JAVA_INT, 8);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }
}
