package io.jrunc.core.sys;

import static io.jrunc.core.sys.Mappings.MAP_ANONYMOUS;
import static io.jrunc.core.sys.Mappings.MAP_PRIVATE;
import static io.jrunc.core.sys.Mappings.PROT_EXEC;
import static io.jrunc.core.sys.Mappings.PROT_READ;
import static io.jrunc.core.sys.Mappings.PROT_WRITE;

import java.lang.foreign.MemorySegment;

/**
 * The parent's system call entry point: {@code long stub(long nr, long a0, ..., long a5)}, a
 * few instructions of our own that move the arguments into the kernel's registers, trap, and
 * return what the kernel returns, {@code -errno} on failure. Called as a {@link Downcall} of the
 * plain {@link Native.Public#SEVEN_LONGS} shape: no {@code captureCallState("errno")}, so no errno capture
 * segment, no confined arena per call and no struct VarHandle to read it back (the capture
 * option cost every first downcall of a cold JVM ~5 ms more; A/B in README).
 *
 * <p>Bootstrap: the stub's own page is mapped and made executable through glibc's
 * {@code syscall()} called with the same plain shape, so the JVM makes one downcall stub for
 * both (through the public Linker it only binds the second address, 0.1 ms). Without errno capture those two calls
 * can only tell failure (-1) from success; on failure (no memory, or PROT_EXEC refused, e.g.
 * SELinux {@code execmem}) {@link #link()} returns null and {@link Libc} keeps glibc's
 * {@code syscall()} with errno captured, which then reports its own errors in full.
 *
 * <p>x86-64 (System V): the seven arguments arrive in rdi, rsi, rdx, rcx, r8, r9 and on the
 * stack at [rsp+8]; the kernel takes the number in rax and the arguments in rdi, rsi, rdx,
 * r10, r8, r9, and clobbers rcx and r11 (both caller-saved). No callee-saved register and no
 * stack slot is written. An architecture without an encoding here keeps the glibc path.
 */
final class SyscallStub {
  private SyscallStub() {}

  /** The machine code for {@code arch}, or null when there is none (glibc's path is used). */
  static byte[] code(Arch arch) {
    return switch (arch) {
      case X86_64 -> new byte[] {
          0x48, (byte) 0x89, (byte) 0xf8,             // mov rax, rdi   (nr)
          0x48, (byte) 0x89, (byte) 0xf7,             // mov rdi, rsi   (a0)
          0x48, (byte) 0x89, (byte) 0xd6,             // mov rsi, rdx   (a1)
          0x48, (byte) 0x89, (byte) 0xca,             // mov rdx, rcx   (a2)
          0x4d, (byte) 0x89, (byte) 0xc2,             // mov r10, r8    (a3)
          0x4d, (byte) 0x89, (byte) 0xc8,             // mov r8, r9     (a4)
          0x4c, (byte) 0x8b, 0x4c, 0x24, 0x08,        // mov r9, [rsp+8] (a5)
          0x0f, 0x05,                                 // syscall
          (byte) 0xc3};                               // ret            (rax: result or -errno)
    };
  }

  /**
   * Maps the stub of the running architecture (W^X: written while RW, then flipped to RX; the
   * page lives as long as the JVM) and links it. Null when there is no stub for this
   * architecture or the mapping was refused.
   */
  static Downcall link() {
    Arch arch = Arch.current();
    byte[] code = code(arch);
    if (code == null) return null;
    Downcall libc = Downcall.of(Native.libcSymbol("syscall"));
    long size = (code.length + 4095) & ~4095L;
    long addr = libc.call(arch.nr(Sys.MMAP), 0L, size,
        PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1L, 0L);
    if (addr == -1) return null;
    MemorySegment page = MemorySegment.ofAddress(addr).reinterpret(size);
    MemorySegment.copy(MemorySegment.ofArray(code), 0, page, 0, code.length);
    long r = libc.call(arch.nr(Sys.MPROTECT), addr, size, PROT_READ | PROT_EXEC, 0L, 0L, 0L);
    if (r != 0) {
      libc.call(arch.nr(Sys.MUNMAP), addr, size, 0L, 0L, 0L, 0L);
      return null;
    }
    return Downcall.of(page);
  }
}
