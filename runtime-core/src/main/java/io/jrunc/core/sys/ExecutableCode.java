package io.jrunc.core.sys;

import static io.jrunc.core.sys.Mappings.MAP_ANONYMOUS;
import static io.jrunc.core.sys.Mappings.MAP_PRIVATE;
import static io.jrunc.core.sys.Mappings.PROT_EXEC;
import static io.jrunc.core.sys.Mappings.PROT_READ;
import static io.jrunc.core.sys.Mappings.PROT_WRITE;

import java.lang.foreign.MemorySegment;

/**
 * Machine code placed in an executable mapping and made callable as a downcall. Used for the
 * spawn trampoline only: its bytes come from {@code io.jrunc.core.spawn}; this class only
 * maps them (W^X: written while RW, then flipped to RX) and links the call.
 *
 * <p>The code is called with the shape of the system calls (a {@link Downcall}: seven longs,
 * no options), not with its own three arguments: the JVM then reuses the stub it already
 * made for the {@link SyscallStub} for the new address, where a shape of its own
 * cost a cold {@code create} or {@code run} a second downcall stub and its LambdaForms. The
 * code reads its three arguments from rdi, rsi and rdx and ignores the other four (zeros, the
 * last one on the stack).
 */
public final class ExecutableCode {
  private final Downcall handle;

  private ExecutableCode(Downcall handle) {
    this.handle = handle;
  }

  /**
   * Maps {@code code}, a function {@code long f(void *a, size_t b, void *c)} (the spawn
   * trampoline's signature). The mapping lives as long as the JVM: the trampoline is made once
   * per process.
   */
  public static ExecutableCode mapTrampoline(byte[] code) throws SysException {
    long size = (code.length + 4095) & ~4095L;
    // mmap and mprotect through the one syscall handle: a handle of their own cost each
    // container-starting CLI call two more downcall links
    long addr = Libc.syscallRaw(Sys.MMAP, 0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (addr < 0 && addr > -4096) throw new SysException("mmap", "trampoline", (int) -addr);
    MemorySegment page = MemorySegment.ofAddress(addr).reinterpret(size);
    MemorySegment.copy(MemorySegment.ofArray(code), 0, page, 0, code.length);
    long r = Libc.syscallRaw(Sys.MPROTECT, addr, size, PROT_READ | PROT_EXEC, 0, 0, 0);
    if (r != 0) throw new SysException("mprotect", "trampoline", (int) -r);
    return new ExecutableCode(Downcall.of(page));
  }

  /**
   * Calls the code with {@code a}, {@code b} and {@code c}; returns what it returns. The
   * segments are passed as raw addresses: the caller keeps them alive across the call.
   */
  public long call(MemorySegment a, long b, MemorySegment c) {
    return handle.call(a.address(), b, c.address(), 0L, 0L, 0L, 0L);
  }
}
