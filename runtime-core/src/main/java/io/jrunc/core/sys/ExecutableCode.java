package io.jrunc.core.sys;

import static io.jrunc.core.sys.Mappings.MAP_ANONYMOUS;
import static io.jrunc.core.sys.Mappings.MAP_PRIVATE;
import static io.jrunc.core.sys.Mappings.PROT_EXEC;
import static io.jrunc.core.sys.Mappings.PROT_READ;
import static io.jrunc.core.sys.Mappings.PROT_WRITE;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Machine code placed in an executable mapping and made callable as a downcall. Used for the
 * spawn trampoline only: its bytes come from {@code io.jrunc.core.spawn}; this class only
 * maps them (W^X: written while RW, then flipped to RX) and links the call.
 */
public final class ExecutableCode {
  private ExecutableCode() {}

  /** {@code void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);} */
  private static final class MmapH {
    static final MethodHandle H = Native.libc("mmap",
        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
  }

  /** {@code int mprotect(void *addr, size_t len, int prot);} */
  private static final class MprotectH {
    static final MethodHandle H = Native.libc("mprotect",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
  }

  /**
   * Maps {@code code} and returns a handle of type {@code (MemorySegment, long, MemorySegment)long}:
   * the signature of the spawn trampoline, {@code long spawn(void *a, size_t b, void *c)}.
   * The mapping lives as long as the JVM: the trampoline is made once per process.
   */
  public static MethodHandle mapTrampoline(byte[] code) throws SysException {
    long size = (code.length + 4095) & ~4095L;
    try (var arena = java.lang.foreign.Arena.ofConfined()) {
      MemorySegment errno = Native.errnoSegment(arena);
      MemorySegment page = (MemorySegment) MmapH.H.invokeExact(errno, MemorySegment.NULL, size,
          PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
      if (page.address() == -1L) throw new SysException("mmap", "trampoline", Native.errno(errno));
      page = page.reinterpret(size);
      MemorySegment.copy(MemorySegment.ofArray(code), 0, page, 0, code.length);
      int r = (int) MprotectH.H.invokeExact(errno, page, size, PROT_READ | PROT_EXEC);
      if (r != 0) throw new SysException("mprotect", "trampoline", Native.errno(errno));
      return Native.LINKER.downcallHandle(page, FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS));
    } catch (SysException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }
}
