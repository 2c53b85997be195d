package io.jrunc.core.spawn;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The x86-64 encoding of the trampoline: {@code long spawn(clone_args *args, size_t size,
 * program *prog)}. The parent path is four instructions (clone3, test, jz, ret) and touches
 * only rax, rcx and r11 (the registers {@code syscall} clobbers): HotSpot keeps its current
 * thread in r15 and expects rbx, rbp, r12-r15 intact across the downcall.
 *
 * <p>The child path interprets the {@link ChildProgram} (layout in its Javadoc) with r14 =
 * program header, r15 = current step, rbx = indirect mask, and never returns: it ends in
 * {@code execve} or in {@code exit_group}. It uses no stack, so it runs on the copy of the
 * parent thread's stack that clone3 (with no new stack) gives it.
 *
 * <pre>
 *        mov eax, 435 (clone3) ; syscall ; test rax,rax ; jz child ; ret
 * child: mov r14, rdx ; mov r15, [r14+16]
 * loop:  load a0..a5 from [r15+8..48], each through one more load if its indirect bit is set
 *        mov rax, [r15] ; syscall ; mov [r15+64], rax
 *        if [r15+112] != 0: mov [that], eax
 *        if rax >= -4095 (unsigned): goto error
 *        if rax < [r15+104] (signed): goto report
 * ok:    if [r15+96] != 0 and rax > 0: r15 = [r15+96] ; goto loop
 *        r15 += 128 ; goto loop
 * error: if -rax == [r15+80] or -rax == [r15+88]: goto ok
 * report: write([r14], r15+56, 16) ; exit_group(1)
 * </pre>
 */
final class X86_64Code {
  private X86_64Code() {}

  static byte[] trampoline() {
    Asm a = new Asm();
    a.b(0xb8).i32(435);                 // mov eax, 435 (SYS_clone3)
    a.b(0x0f, 0x05);                    // syscall
    a.b(0x48, 0x85, 0xc0);              // test rax, rax
    a.b(0x74, 0x01);                    // jz child
    a.b(0xc3);                          // ret: parent (pid) or clone3 error (-errno)
    // child
    a.b(0x49, 0x89, 0xd6);              // mov r14, rdx
    a.b(0x4d, 0x8b, 0x7e, 0x10);        // mov r15, [r14+16]
    a.label("loop");
    a.b(0x49, 0x8b, 0x5f, 0x48);        // mov rbx, [r15+72]
    // a0 -> rdi, a1 -> rsi, a2 -> rdx, a3 -> r10, a4 -> r8, a5 -> r9
    int[][] loads = {
        {0x49, 0x8b, 0x7f, 0x08, 0x48, 0x8b, 0x3f},  // mov rdi,[r15+8] ; mov rdi,[rdi]
        {0x49, 0x8b, 0x77, 0x10, 0x48, 0x8b, 0x36},  // mov rsi,[r15+16]; mov rsi,[rsi]
        {0x49, 0x8b, 0x57, 0x18, 0x48, 0x8b, 0x12},  // mov rdx,[r15+24]; mov rdx,[rdx]
        {0x4d, 0x8b, 0x57, 0x20, 0x4d, 0x8b, 0x12},  // mov r10,[r15+32]; mov r10,[r10]
        {0x4d, 0x8b, 0x47, 0x28, 0x4d, 0x8b, 0x00},  // mov r8,[r15+40] ; mov r8,[r8]
        {0x4d, 0x8b, 0x4f, 0x30, 0x4d, 0x8b, 0x09},  // mov r9,[r15+48] ; mov r9,[r9]
    };
    for (int i = 0; i < 6; i++) {
      int[] l = loads[i];
      a.b(l[0], l[1], l[2], l[3]);
      a.b(0xf6, 0xc3, 1 << i);          // test bl, bit
      a.b(0x74, 0x03);                  // jz +3
      a.b(l[4], l[5], l[6]);            // load through the pointer
    }
    a.b(0x49, 0x8b, 0x07);              // mov rax, [r15]
    a.b(0x0f, 0x05);                    // syscall
    a.b(0x49, 0x89, 0x47, 0x40);        // mov [r15+64], rax
    a.b(0x49, 0x8b, 0x4f, 0x70);        // mov rcx, [r15+112]
    a.b(0x48, 0x85, 0xc9);              // test rcx, rcx
    a.b(0x74, 0x02);                    // jz +2
    a.b(0x89, 0x01);                    // mov [rcx], eax
    a.b(0x48, 0x3d).i32(-4095);         // cmp rax, -4095
    a.b(0x0f, 0x83).rel32("error");     // jae error (unsigned: rax in [-4095, -1])
    a.b(0x49, 0x3b, 0x47, 0x68);        // cmp rax, [r15+104]
    a.b(0x0f, 0x8c).rel32("report");    // jl report
    a.label("ok");
    a.b(0x49, 0x8b, 0x4f, 0x60);        // mov rcx, [r15+96]
    a.b(0x48, 0x85, 0xc9);              // test rcx, rcx
    a.b(0x74).rel8("next");             // jz next
    a.b(0x48, 0x85, 0xc0);              // test rax, rax
    a.b(0x7e).rel8("next");             // jle next
    a.b(0x49, 0x89, 0xcf);              // mov r15, rcx
    a.b(0xe9).rel32("loop");            // jmp loop
    a.label("next");
    a.b(0x49, 0x81, 0xc7).i32(128);     // add r15, 128
    a.b(0xe9).rel32("loop");            // jmp loop
    a.label("error");
    a.b(0x48, 0x89, 0xc1);              // mov rcx, rax
    a.b(0x48, 0xf7, 0xd9);              // neg rcx
    a.b(0x49, 0x3b, 0x4f, 0x50);        // cmp rcx, [r15+80]
    a.b(0x0f, 0x84).rel32("ok");        // je ok
    a.b(0x49, 0x3b, 0x4f, 0x58);        // cmp rcx, [r15+88]
    a.b(0x0f, 0x84).rel32("ok");        // je ok
    a.label("report");
    a.b(0x49, 0x8b, 0x3e);              // mov rdi, [r14]
    a.b(0x49, 0x8d, 0x77, 0x38);        // lea rsi, [r15+56]
    a.b(0xba).i32(16);                  // mov edx, 16
    a.b(0xb8).i32(1);                   // mov eax, 1 (SYS_write)
    a.b(0x0f, 0x05);                    // syscall
    a.label("exit");
    a.b(0xbf).i32(1);                   // mov edi, 1
    a.b(0xb8).i32(231);                 // mov eax, 231 (SYS_exit_group)
    a.b(0x0f, 0x05);                    // syscall
    a.b(0xeb).rel8("exit");             // not reached
    return a.bytes();
  }

  /** Just enough of an assembler: bytes, labels, rel8/rel32 fix-ups. */
  private static final class Asm {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Integer> labels = new HashMap<>();
    private final List<Object[]> fixups = new ArrayList<>();

    Asm b(int... bytes) {
      for (int x : bytes) out.write(x);
      return this;
    }

    Asm i32(int v) {
      return b(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
    }

    void label(String name) {
      labels.put(name, out.size());
    }

    Asm rel8(String target) {
      fixups.add(new Object[] {target, out.size(), 1});
      return b(0);
    }

    Asm rel32(String target) {
      fixups.add(new Object[] {target, out.size(), 4});
      return i32(0);
    }

    byte[] bytes() {
      byte[] code = out.toByteArray();
      for (Object[] f : fixups) {
        int at = (int) f[1];
        int width = (int) f[2];
        Integer target = labels.get((String) f[0]);
        if (target == null) throw new IllegalStateException("undefined label " + f[0]);
        int rel = target - (at + width);
        if (width == 1) {
          if (rel < -128 || rel > 127) throw new IllegalStateException("rel8 out of range to " + f[0]);
          code[at] = (byte) rel;
        } else {
          for (int i = 0; i < 4; i++) code[at + i] = (byte) (rel >>> (8 * i));
        }
      }
      return code;
    }
  }
}
