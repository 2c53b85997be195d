package io.jrunc.core.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * libc downcalls the parent (the JVM) makes. Each binding's handle lives in its own holder
 * class so it is linked on first use only (the CLI's start-up path links only what the
 * command needs) and constant-folded by the JIT. The C prototype is beside each binding.
 */
public final class Libc {
  private Libc() {}

  /** {@code long syscall(long number, ...);} for calls glibc has no wrapper for. */
  private static final class SyscallH {
    static final MethodHandle H = Native.libcVariadic("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);
  }

  /**
   * A raw system call. Returns the result, or {@code -errno} on failure (the kernel's own
   * convention), so callers decide which errnos are errors.
   */
  public static long syscallRaw(Sys nr, long a0, long a1, long a2, long a3, long a4, long a5) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = Native.errnoSegment(arena);
      long r = (long) SyscallH.H.invokeExact(errno, (long) Arch.current().nr(nr), a0, a1, a2, a3, a4, a5);
      return r == -1 ? -Native.errno(errno) : r;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** A raw system call that throws {@link SysException} naming {@code op} and {@code target}. */
  public static long syscall(String op, String target, Sys nr, long... args) throws SysException {
    long[] a = java.util.Arrays.copyOf(args, 6);
    long r = syscallRaw(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    if (r < 0 && r > -4096) throw new SysException(op, target, (int) -r);
    return r;
  }

  /** {@code int kill(pid_t pid, int sig);} Returns 0 or -errno. */
  public static int kill(int pid, int sig) {
    return (int) syscallRaw(Sys.KILL, pid, sig, 0, 0, 0, 0);
  }

  /** {@code int close(int fd);} errors ignored: there is nothing useful to do about them. */
  public static void close(int fd) {
    if (fd >= 0) syscallRaw(Sys.CLOSE, fd, 0, 0, 0, 0, 0);
  }

  /** {@code int getpid(void);} */
  public static int getpid() {
    return (int) syscallRaw(Sys.GETPID, 0, 0, 0, 0, 0, 0);
  }

  /** {@code uid_t geteuid(void);} */
  private static final class GeteuidH {
    static final MethodHandle H = Native.libcNoErrno("geteuid", FunctionDescriptor.of(JAVA_INT));
  }

  public static int geteuid() {
    try {
      return (int) GeteuidH.H.invokeExact();
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code char *strerror(int errnum);} unused by the runtime's own messages, kept for diagnostics. */
  static final FunctionDescriptor STRERROR = FunctionDescriptor.of(ADDRESS, JAVA_INT);
}
