package io.jrunc.core.sys;

import static io.jrunc.core.sys.Mappings.MAP_ANONYMOUS;
import static io.jrunc.core.sys.Mappings.MAP_PRIVATE;
import static io.jrunc.core.sys.Mappings.PROT_EXEC;
import static io.jrunc.core.sys.Mappings.PROT_READ;
import static io.jrunc.core.sys.Mappings.PROT_WRITE;
import static java.lang.foreign.ValueLayout.ADDRESS;
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

  /**
   * Maps {@code code} and returns a handle of type {@code (MemorySegment, long, MemorySegment)long}:
   * the signature of the spawn trampoline, {@code long spawn(void *a, size_t b, void *c)}.
   * The mapping lives as long as the JVM: the trampoline is made once per process.
   */
  public static MethodHandle mapTrampoline(byte[] code) throws SysException {
    long size = (code.length + 4095) & ~4095L;
    // mmap and mprotect through the one syscall handle: a handle of their own cost each
    // container-starting CLI call two more downcall links
    long addr = Libc.syscallRaw(Sys.MMAP, 0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (addr < 0 && addr > -4096) throw new SysException("mmap", "trampoline", (int) -addr);
    MemorySegment page = MemorySegment.ofAddress(addr).reinterpret(size);
    MemorySegment.copy(MemorySegment.ofArray(code), 0, page, 0, code.length);
    long r = Libc.syscallRaw(Sys.MPROTECT, addr, size, PROT_READ | PROT_EXEC, 0, 0, 0);
    if (r != 0) throw new SysException("mprotect", "trampoline", (int) -r);
    return Native.LINKER.downcallHandle(page, FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS));
  }
}
