package io.jrunc.core.spawn;

import io.jrunc.core.sys.Arch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The stub: a static ELF executable of ~3.7 KiB (most of it errno texts) that jrunc writes itself, that runs
 * a {@link ChildProgram} outside the JVM. The child of a spawn {@code execveat}s it from a
 * sealed memfd before it joins or becomes anything of the container, so from then on
 * {@code /proc/self/exe} is that sealed memfd (not the host's {@code bin/java}), nothing of the
 * host is mapped, and the fd table holds only what the program names (CVE-2019-5736,
 * CVE-2024-21626; {@code shared/docs/spawn.md}).
 *
 * <table>
 *   <caption>File layout (ET_EXEC, one read+execute PT_LOAD at {@link #ORIGIN})</caption>
 *   <tr><th>offset</th><th>what</th></tr>
 *   <tr><td>0</td><td>ELF64 header, entry = ORIGIN + 176</td></tr>
 *   <tr><td>64</td><td>PT_LOAD: offset 0, whole file, R+X</td></tr>
 *   <tr><td>120</td><td>PT_GNU_STACK: R+W, not executable</td></tr>
 *   <tr><td>176</td><td>code: {@link X86_64Code#stubEntry}, then the interpreter and its errno texts</td></tr>
 * </table>
 *
 * No PT_INTERP: no dynamic loader of the container's image ever runs in it.
 */
public final class StubImage {
  private StubImage() {}

  /** Load address: low, fixed, far from where a program image is laid out. */
  static final long ORIGIN = 0x400000;
  private static final int EHDR = 64, PHDR = 56, CODE = EHDR + 2 * PHDR;

  /**
   * The address in the stub of {@code exit_group(128 + signo)}, a signal handler for a program
   * the stub runs (create's init until start: {@code InitPlanner}).
   */
  public static long signalExitAddress(Arch arch) {
    return switch (arch) {
      case X86_64 -> ORIGIN + CODE + X86_64Code.STUB_SIGNAL_EXIT;
    };
  }

  static byte[] build(Arch arch) {
    byte[] code = switch (arch) {
      case X86_64 -> X86_64Code.stubEntry(ChildProgram.MAGIC);
    };
    int total = CODE + code.length;
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    // e_ident: magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_SYSV, padding
    b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    b.putShort((short) 2);              // e_type ET_EXEC
    b.putShort((short) machine(arch));  // e_machine
    b.putInt(1);                        // e_version
    b.putLong(ORIGIN + CODE);           // e_entry
    b.putLong(EHDR);                    // e_phoff
    b.putLong(0);                       // e_shoff: no sections
    b.putInt(0);                        // e_flags
    b.putShort((short) EHDR);           // e_ehsize
    b.putShort((short) PHDR);           // e_phentsize
    b.putShort((short) 2);              // e_phnum
    b.putShort((short) 64);             // e_shentsize
    b.putShort((short) 0);              // e_shnum
    b.putShort((short) 0);              // e_shstrndx
    // PT_LOAD
    b.putInt(1).putInt(5);              // p_type PT_LOAD, p_flags PF_R|PF_X
    b.putLong(0).putLong(ORIGIN).putLong(ORIGIN); // p_offset, p_vaddr, p_paddr
    b.putLong(total).putLong(total);    // p_filesz, p_memsz
    b.putLong(0x1000);                  // p_align
    // PT_GNU_STACK
    b.putInt(0x6474e551).putInt(6);     // p_type, p_flags PF_R|PF_W
    b.putLong(0).putLong(0).putLong(0).putLong(0).putLong(0).putLong(16);
    b.put(code);
    return b.array();
  }

  private static int machine(Arch arch) {
    return switch (arch) {
      case X86_64 -> 62; // EM_X86_64
    };
  }
}
