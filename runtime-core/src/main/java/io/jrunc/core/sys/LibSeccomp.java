package io.jrunc.core.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;

/**
 * libseccomp (libseccomp.so.2, Debian package {@code libseccomp2}) through FFM. Used in the
 * parent only: it compiles a filter and exports it as classic BPF; the child just hands those
 * bytes to {@code seccomp(2)}. libseccomp functions return {@code -errno} themselves, so no
 * errno capture is needed.
 *
 * <p>Every function is called as a {@link Downcall} of the one plain shape of the system calls
 * ({@link Native.Public#SEVEN_LONGS}, seven longs in, a long out), not with its own C signature: the
 * JVM then calls each address through the stub it already made for the {@link SyscallStub},
 * where nine signatures of their own cost a create with an engine's seccomp profile nine more
 * downcall stubs and their LambdaForms. That is exact for the C ABI on x86-64 and aarch64: a
 * pointer goes as its address; an {@code int} or {@code uint32_t} argument goes in a 64-bit
 * register of which the callee reads the low 32 bits; the arguments a function does not take
 * are zeros it never reads (the seventh on the stack is the caller's to pop); an {@code int}
 * result is the low 32 bits of the result register, a pointer all 64.
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
  public static final Struct ARG_CMP = Struct.of("scmp_arg_cmp",
      Struct.u32("arg"), Struct.u32("op"), Struct.u64("datum_a"), Struct.u64("datum_b"));

  /** Why seccomp cannot be used on a host without the library. */
  public static final String MISSING =
      "seccomp requires libseccomp.so.2, which is not installed (Debian/Ubuntu: apt-get install libseccomp2)";

  private static final class Lib {
    static final SymbolLookup L = Native.openLibrary("libseccomp.so.2");

    static Downcall h(String name) {
      if (L == null) throw new UnsupportedOperationException(MISSING);
      return Downcall.of(L.find(name).orElseThrow(() -> new UnsatisfiedLinkError("symbol not found: " + name)));
    }
  }

  /** Calls {@code h} (linked by {@link Lib#h}) with up to five arguments; the rest are zeros. */
  private static long call(Downcall h, long a0, long a1, long a2, long a3, long a4) {
    return h.call(a0, a1, a2, a3, a4, 0L, 0L);
  }

  /** Whether libseccomp.so.2 can be loaded; check before any other method. */
  public static boolean available() {
    return Lib.L != null;
  }

  /** {@code scmp_filter_ctx seccomp_init(uint32_t def_action);} NULL on failure. */
  private static final class InitH {
    static final Downcall H = Lib.h("seccomp_init");
  }

  public static MemorySegment init(int defAction) {
    return MemorySegment.ofAddress(call(InitH.H, defAction, 0, 0, 0, 0));
  }

  /** {@code void seccomp_release(scmp_filter_ctx ctx);} */
  private static final class ReleaseH {
    static final Downcall H = Lib.h("seccomp_release");
  }

  public static void release(MemorySegment ctx) {
    call(ReleaseH.H, ctx.address(), 0, 0, 0, 0);
  }

  /** {@code uint32_t seccomp_arch_resolve_name(const char *arch_name);} 0 when unknown. */
  private static final class ArchResolveH {
    static final Downcall H = Lib.h("seccomp_arch_resolve_name");
  }

  public static int archResolveName(String name) {
    try (Arena a = Arena.ofConfined()) {
      return (int) call(ArchResolveH.H, NativeCopy.cString(a, name).address(), 0, 0, 0, 0);
    }
  }

  /** {@code uint32_t seccomp_arch_native(void);} */
  private static final class ArchNativeH {
    static final Downcall H = Lib.h("seccomp_arch_native");
  }

  public static int archNative() {
    return (int) call(ArchNativeH.H, 0, 0, 0, 0, 0);
  }

  /** {@code int seccomp_arch_add(scmp_filter_ctx ctx, uint32_t arch_token);} 0 or -errno (-EEXIST if present). */
  private static final class ArchAddH {
    static final Downcall H = Lib.h("seccomp_arch_add");
  }

  public static int archAdd(MemorySegment ctx, int token) {
    return (int) call(ArchAddH.H, ctx.address(), token, 0, 0, 0);
  }

  /** {@code int seccomp_arch_remove(scmp_filter_ctx ctx, uint32_t arch_token);} 0 or -errno. */
  private static final class ArchRemoveH {
    static final Downcall H = Lib.h("seccomp_arch_remove");
  }

  public static int archRemove(MemorySegment ctx, int token) {
    return (int) call(ArchRemoveH.H, ctx.address(), token, 0, 0, 0);
  }

  /** {@code int seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value);} 0 or -errno. */
  private static final class AttrSetH {
    static final Downcall H = Lib.h("seccomp_attr_set");
  }

  public static int attrSet(MemorySegment ctx, int attr, int value) {
    return (int) call(AttrSetH.H, ctx.address(), attr, value, 0, 0);
  }

  /**
   * {@code int seccomp_syscall_resolve_name(const char *name);} The native number, a negative
   * pseudo-number for a syscall the host architecture lacks but another arch has (libseccomp
   * translates it per arch), or {@link #NR_SCMP_ERROR}.
   */
  private static final class ResolveH {
    static final Downcall H = Lib.h("seccomp_syscall_resolve_name");
  }

  public static int syscallResolveName(String name) {
    try (Arena a = Arena.ofConfined()) {
      return (int) call(ResolveH.H, NativeCopy.cString(a, name).address(), 0, 0, 0, 0);
    }
  }

  /** {@code int seccomp_syscall_resolve_name_arch(uint32_t arch_token, const char *name);} */
  private static final class ResolveArchH {
    static final Downcall H = Lib.h("seccomp_syscall_resolve_name_arch");
  }

  public static int syscallResolveName(int archToken, String name) {
    try (Arena a = Arena.ofConfined()) {
      return (int) call(ResolveArchH.H, archToken, NativeCopy.cString(a, name).address(), 0, 0, 0);
    }
  }

  /**
   * A profile's syscall names in native memory, each NUL-terminated, copied in one run, for
   * the resolve functions: an engine's profile names ~350 syscalls, resolved for each of its
   * ~3 architectures, and a confined arena, an allocation and a copy per name cost ~5 µs each
   * in a cold JVM (the CLI's case). Confined to the thread that made it; close it after use.
   */
  public static final class Names implements AutoCloseable {
    private final Arena arena = Arena.ofConfined();
    private final java.util.Map<String, Long> at = new java.util.HashMap<>();
    private final MemorySegment memory;

    /** {@code names}: null and empty entries are skipped; duplicates are stored once. */
    public Names(Iterable<String> names) {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      for (String n : names) {
        if (n == null || n.isEmpty() || at.containsKey(n)) continue;
        at.put(n, (long) bytes.size());
        bytes.writeBytes(n.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        bytes.write(0);
      }
      byte[] all = bytes.toByteArray();
      memory = arena.allocate(Math.max(1, all.length));
      NativeCopy.fromBytes(all, 0, memory, 0, all.length);
    }

    private long address(String name) {
      Long off = at.get(name);
      if (off == null) throw new IllegalArgumentException("not among the names: " + name);
      return memory.address() + off;
    }

    /** {@link LibSeccomp#syscallResolveName(String)} of one of the names. */
    public int resolve(String name) {
      return (int) call(ResolveH.H, address(name), 0, 0, 0, 0);
    }

    /** {@link LibSeccomp#syscallResolveName(int, String)} of one of the names. */
    public int resolve(int archToken, String name) {
      return (int) call(ResolveArchH.H, archToken, address(name), 0, 0, 0);
    }

    @Override
    public void close() {
      arena.close();
    }
  }

  /**
   * {@code int seccomp_rule_add_array(scmp_filter_ctx ctx, uint32_t action, int syscall,
   * unsigned int arg_cnt, const struct scmp_arg_cmp *arg_array);} 0 or -errno.
   *
   * @param cmps rows of {arg, op, datum_a, datum_b}
   */
  private static final class RuleAddArrayH {
    static final Downcall H = Lib.h("seccomp_rule_add_array");
  }

  public static int ruleAddArray(MemorySegment ctx, int action, int syscall, long[][] cmps) {
    if (cmps.length == 0) return (int) call(RuleAddArrayH.H, ctx.address(), action, syscall, 0, 0);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment arr = a.allocate(ARG_CMP.byteSize() * cmps.length, ARG_CMP.byteAlignment());
      for (int i = 0; i < cmps.length; i++) {
        long base = i * ARG_CMP.byteSize();
        Memory.setInt(arr, base, (int) cmps[i][0]);
        Memory.setInt(arr, base + 4, (int) cmps[i][1]);
        Memory.setLong(arr, base + 8, cmps[i][2]);
        Memory.setLong(arr, base + 16, cmps[i][3]);
      }
      return (int) call(RuleAddArrayH.H, ctx.address(), action, syscall, cmps.length, arr.address());
    }
  }

  /** {@code int seccomp_export_bpf(const scmp_filter_ctx ctx, int fd);} 0 or -errno. */
  private static final class ExportBpfH {
    static final Downcall H = Lib.h("seccomp_export_bpf");
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
      fd = Libc.syscallRaw(Sys.MEMFD_CREATE, NativeCopy.cString(a, "jrunc-seccomp").address(), 1, 0, 0, 0, 0);
    }
    if (fd < 0) throw new SysException("memfd_create", "for the seccomp filter", (int) -fd);
    try {
      int rc = (int) call(ExportBpfH.H, ctx.address(), fd, 0, 0, 0);
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
    static final Downcall H = Lib.h("seccomp_version");
  }

  public static String version() {
    MemorySegment v = MemorySegment.ofAddress(call(VersionH.H, 0, 0, 0, 0, 0)).reinterpret(12);
    return Memory.getInt(v, 0) + "." + Memory.getInt(v, 4) + "." + Memory.getInt(v, 8);
  }
}
