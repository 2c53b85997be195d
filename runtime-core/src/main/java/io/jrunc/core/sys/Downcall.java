package io.jrunc.core.sys;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * One native function of the parent's single downcall shape, {@link Native.Public#SEVEN_LONGS}:
 * {@code long f(long, long, long, long, long, long, long)} (the {@link SyscallStub}, glibc's
 * {@code syscall()} that maps it, the spawn trampoline, libseccomp's functions). Called through
 * the JDK's native entry with the address as its first argument where {@link JdkNativeEntry}
 * is usable (the CLI's JVM), else through a handle the public Linker bound to the address.
 */
final class Downcall {
  private final long address;
  private final MethodHandle bound;

  private Downcall(long address, MethodHandle bound) {
    this.address = address;
    this.bound = bound;
  }

  /** The function at {@code fn}. */
  static Downcall of(MemorySegment fn) {
    if (fn.address() == 0) throw new IllegalArgumentException("downcall to a NULL address");
    return JdkNativeEntry.HANDLE != null
        ? new Downcall(fn.address(), null)
        : new Downcall(fn.address(), Native.Public.LINKER.downcallHandle(fn, Native.Public.SEVEN_LONGS));
  }

  /** Calls the function; the arguments it does not take are the caller's zeros. */
  long call(long a0, long a1, long a2, long a3, long a4, long a5, long a6) {
    try {
      MethodHandle b = bound;
      return b == null
          ? (long) JdkNativeEntry.HANDLE.invokeExact(address, a0, a1, a2, a3, a4, a5, a6)
          : (long) b.invokeExact(a0, a1, a2, a3, a4, a5, a6);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** Whether calls go through the JDK's own downcall entry point (false: the public Linker). */
  static boolean viaJdkEntry() {
    return JdkNativeEntry.HANDLE != null;
  }
}
