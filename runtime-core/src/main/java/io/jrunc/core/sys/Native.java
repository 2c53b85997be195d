package io.jrunc.core.sys;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The linker plumbing that every binding in this package shares: looking up symbols, linking
 * downcalls (the plain system call shape, and libc functions that capture {@code errno}), and
 * reading the captured value.
 *
 * <p>errno is captured <em>per call</em> into a segment the caller allocates from its own
 * confined arena (Elasticsearch's native access shares one static capture segment between
 * threads; two threads failing at once then read each other's errno).
 */
public final class Native {
  private Native() {}

  /**
   * The public Linker, its default lookup and the one downcall shape, in a holder: where
   * {@link JdkNativeEntry} is usable nothing but the errno-capturing fallback makes them (the
   * Linker's static set-up alone spins five LambdaForms in a cold JVM, and a
   * FunctionDescriptor's streams and EnumMaps cost the link thread ~0.7 ms).
   */
  static final class Public {
    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();

    /**
     * The one downcall shape of the parent's system calls: {@code long f(long, long, long, long,
     * long, long, long)}. The linker spins one stub per shape (descriptor and options) and only
     * binds the address for each further function of that shape, so every function linked with
     * it after the first costs no stub, no LambdaForms (~10-15 ms of a cold JVM each). Called
     * as a {@link Downcall} (no options) for the {@link SyscallStub}, the glibc {@code syscall()}
     * that maps it, the spawn trampoline and libseccomp; with errno captured only where the stub
     * is refused.
     */
    static final FunctionDescriptor SEVEN_LONGS = FunctionDescriptor.of(JAVA_LONG,
        JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
  }

  /**
   * libc by its glibc name, found without the public Linker (a {@code dlopen} of the library
   * the JVM already runs on); null where there is no {@code libc.so.6} (e.g. musl).
   */
  private static final class Glibc {
    static final SymbolLookup L = openLibrary("libc.so.6");
  }

  /** The library {@code name} opened for the JVM's lifetime ({@code dlopen}), or null when it cannot be. */
  static SymbolLookup openLibrary(String name) {
    try {
      return SymbolLookup.libraryLookup(name, Arena.global());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The address of libc's {@code name}. */
  static MemorySegment libcSymbol(String name) {
    SymbolLookup l = Glibc.L != null ? Glibc.L : Public.LIBC;
    return l.find(name).orElseThrow(() -> new UnsatisfiedLinkError("symbol not found: " + name));
  }

  /**
   * The errno capture plumbing, in a holder of its own: the parent's system calls go through
   * {@link SyscallStub}, which returns -errno itself, so the common paths never make the
   * capture layout or the option.
   */
  private static final class Capture {
    static final StructLayout LAYOUT = Linker.Option.captureStateLayout();
    static final long ERRNO = Memory.offset(LAYOUT, "errno");
    static final Linker.Option OPTION = Linker.Option.captureCallState("errno");
  }

  /**
   * Links a libc function whose first Java argument is the errno capture segment (only
   * {@code syscall()} where the {@link SyscallStub} is refused: everything else of the parent
   * goes through the stub).
   */
  static MethodHandle libc(String name, FunctionDescriptor fd) {
    return Public.LINKER.downcallHandle(libcSymbol(name), fd, Capture.OPTION);
  }

  /** A fresh errno capture segment in {@code arena}. */
  static MemorySegment errnoSegment(Arena arena) {
    return arena.allocate(Capture.LAYOUT);
  }

  /** The errno a downcall captured into {@code seg}. */
  static int errno(MemorySegment seg) {
    return Memory.getInt(seg, Capture.ERRNO);
  }

  /** Unwraps the Throwable that {@code invokeExact} declares: our downcalls never throw checked ones. */
  static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) return r;
    if (t instanceof Error e) throw e;
    return new IllegalStateException(t);
  }
}
