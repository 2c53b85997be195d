package io.jrunc.core.spawn;

import io.jrunc.core.sys.Errno;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The x86-64 machine code of the spawner, in two pieces that share one interpreter of
 * {@link ChildProgram}s (layout in its Javadoc):
 *
 * <ul>
 *   <li>{@link #trampoline()}: {@code long spawn(clone_args *args, size_t size, program *pre)},
 *       called from Java. The parent path blocks every signal (so no JVM handler can run in the
 *       child before its exec), calls clone3, restores the mask and returns the pid. It touches
 *       only caller-saved registers: HotSpot keeps its current thread in r15 and expects rbx,
 *       rbp, r12-r15 intact across the downcall. The child path interprets {@code pre}, the
 *       few steps that leave the JVM ({@code execveat} of the sealed stub).</li>
 *   <li>{@link #stubEntry(long)}: the entry point of the stub ELF ({@link StubImage}). It
 *       parses argv[1] (the program image's fd), reads the image's header, maps the image
 *       private at the address it was laid out for, closes the fd, and interprets it.</li>
 * </ul>
 *
 * <p>The interpreter uses r14 = program header, r15 = current step, rbx = indirect mask, and
 * never returns: it ends in {@code execve} or in {@code exit_group}. It uses no stack, so the
 * trampoline's child runs on the parent's stack (CLONE_VM, CLONE_VFORK) without writing it.
 *
 * <pre>
 * loop:  load a0..a5 from [r15+8..48], each through one more load if its indirect bit is set
 *        mov rax, [r15] ; syscall ; mov [r15+64], rax
 *        if [r15+112] != 0: mov [that], eax
 *        if rax >= -4095 (unsigned): goto error
 *        if rax < [r15+104] (signed): goto report
 * ok:    if [r15+96] != 0 and rax > 0: r15 = [r15+96] ; goto loop
 *        r15 += 128 ; goto loop
 * error: if -rax == [r15+80] or -rax == [r15+88]: goto ok
 * report: (the stub: if [r15+120] != 0, say it on fd 2 first; see interpreter)
 *        write([r14], r15+56, 16) ; exit_group(1)
 * </pre>
 */
final class X86_64Code {
  private X86_64Code() {}

  /**
   * The most bytes of a step's {@link Step#sayOnFailure} prefix the stub writes: a path of
   * PATH_MAX and a few words. Its buffer is on the stub's own stack, which the kernel made 128
   * KiB at the exec of the stub, before any rlimit of the container's.
   */
  static final int SAY_MAX = 4096 + 64;

  /** The text of an errno the table has none for. */
  private static final String UNKNOWN = "unknown error\n";

  static byte[] trampoline() {
    Asm a = new Asm();
    a.b(0x49, 0x89, 0xf8);              // mov r8, rdi      (clone_args)
    a.b(0x49, 0x89, 0xd1);              // mov r9, rdx      (pre-program header)
    a.b(0x56);                          // push rsi         (clone_args size)
    sigprocmask(a, 48, true);           // rt_sigprocmask(SIG_SETMASK, &hdr.all, &hdr.saved, 8)
    a.b(0x5e);                          // pop rsi
    a.b(0x4c, 0x89, 0xc7);              // mov rdi, r8
    a.b(0xb8).i32(435);                 // mov eax, 435 (SYS_clone3)
    a.b(0x0f, 0x05);                    // syscall
    a.b(0x48, 0x85, 0xc0);              // test rax, rax
    a.b(0x0f, 0x84).rel32("child");     // jz child
    a.b(0x49, 0x89, 0xc0);              // mov r8, rax      (pid or -errno)
    sigprocmask(a, 56, false);          // rt_sigprocmask(SIG_SETMASK, &hdr.saved, NULL, 8)
    a.b(0x4c, 0x89, 0xc0);              // mov rax, r8
    a.b(0xc3);                          // ret
    a.label("child");
    a.b(0x4d, 0x89, 0xce);              // mov r14, r9
    a.b(0x4d, 0x8b, 0x7e, 0x10);        // mov r15, [r14+16]
    interpreter(a, false);
    return a.bytes();
  }

  /** rt_sigprocmask(SIG_SETMASK, r9+set, save ? r9+56 : NULL, 8); clobbers rdi, rsi, rdx, r10, rax, rcx, r11. */
  private static void sigprocmask(Asm a, int setOffset, boolean save) {
    a.b(0xbf).i32(2);                   // mov edi, 2 (SIG_SETMASK)
    a.b(0x49, 0x8d, 0x71, setOffset);   // lea rsi, [r9+set]
    if (save) {
      a.b(0x49, 0x8d, 0x51, 56);        // lea rdx, [r9+56]
    } else {
      a.b(0x31, 0xd2);                  // xor edx, edx
    }
    a.b(0x41, 0xba).i32(8);             // mov r10d, 8
    a.b(0xb8).i32(14);                  // mov eax, 14 (SYS_rt_sigprocmask)
    a.b(0x0f, 0x05);                    // syscall
  }

  /**
   * The stub's code, placed at {@code origin}: entry at offset 0. On entry (no dynamic loader)
   * [rsp] = argc, [rsp+8] = argv[0], [rsp+16] = argv[1] = the image fd in decimal.
   *
   * <pre>
   *        fd = atoi(argv[1]) ; sub rsp, 64
   *        pread64(fd, rsp, 64, 0) == 64 and [rsp+40] == MAGIC, else exit_group(127)
   *        mmap([rsp+24], [rsp+32], RW, MAP_PRIVATE|MAP_POPULATE|MAP_FIXED_NOREPLACE, fd, 0) == [rsp+24],
   *          else report {STUB_MAP, -errno} on the report fd [rsp+0] and exit_group(127)
   *        close(fd) ; r14 = image ; r15 = [r14+16] ; goto loop
   * </pre>
   *
   * MAP_POPULATE: the program's pages (~20 for a plain container) are mapped in that one call,
   * not faulted in one by one as the steps run; on a host where a page fault exits to the
   * hypervisor (~11 us each) init's setup took 2.26-2.36 -> 1.95-2.01 ms (300 creates after 40,
   * three alternating runs).
   */
  static byte[] stubEntry(long magic) {
    Asm a = stubAsm(magic, true);
    errnoTexts(a);
    return a.bytes();
  }

  /**
   * Offset in the stub's code of "sigexit", {@code exit_group(128 + signo)}: the handler create's
   * init installs for the terminating signals until start ({@code InitPlanner}). A signal with a
   * handler never returns from it, so the same address serves as its {@code sa_restorer}.
   */
  static final int STUB_SIGNAL_EXIT = stubAsm(0, false).labels.get("sigexit");

  /** The stub's code up to "sigexit", then, when {@code whole}, the interpreter (the errno texts are the caller's). */
  private static Asm stubAsm(long magic, boolean whole) {
    Asm a = new Asm();
    a.b(0x48, 0x8b, 0x74, 0x24, 0x10);  // mov rsi, [rsp+16]   (argv[1])
    a.b(0x48, 0x85, 0xf6);              // test rsi, rsi
    a.b(0x0f, 0x84).rel32("die");       // jz die
    a.b(0x31, 0xff);                    // xor edi, edi
    a.label("parse");
    a.b(0x0f, 0xb6, 0x06);              // movzx eax, byte [rsi]
    a.b(0x83, 0xe8, 0x30);              // sub eax, '0'
    a.b(0x83, 0xf8, 0x09);              // cmp eax, 9
    a.b(0x77).rel8("parsed");           // ja parsed (unsigned: not a digit, NUL included)
    a.b(0x48, 0x6b, 0xff, 0x0a);        // imul rdi, rdi, 10
    a.b(0x48, 0x01, 0xc7);              // add rdi, rax
    a.b(0x48, 0xff, 0xc6);              // inc rsi
    a.b(0xeb).rel8("parse");            // jmp parse
    a.label("parsed");
    a.b(0x49, 0x89, 0xfc);              // mov r12, rdi
    a.b(0x48, 0x83, 0xec, 0x40);        // sub rsp, 64
    a.b(0x4c, 0x89, 0xe7);              // mov rdi, r12
    a.b(0x48, 0x89, 0xe6);              // mov rsi, rsp
    a.b(0xba).i32(64);                  // mov edx, 64
    a.b(0x45, 0x31, 0xd2);              // xor r10d, r10d
    a.b(0xb8).i32(17);                  // mov eax, 17 (SYS_pread64)
    a.b(0x0f, 0x05);                    // syscall
    a.b(0x48, 0x83, 0xf8, 0x40);        // cmp rax, 64
    a.b(0x0f, 0x85).rel32("die");       // jne die
    a.b(0x48, 0xb8).i64(magic);         // movabs rax, MAGIC
    a.b(0x48, 0x39, 0x44, 0x24, 0x28);  // cmp [rsp+40], rax
    a.b(0x0f, 0x85).rel32("die");       // jne die
    a.b(0x48, 0x8b, 0x7c, 0x24, 0x18);  // mov rdi, [rsp+24]   (base)
    a.b(0x48, 0x8b, 0x74, 0x24, 0x20);  // mov rsi, [rsp+32]   (length)
    a.b(0xba).i32(3);                   // mov edx, PROT_READ|PROT_WRITE
    a.b(0x41, 0xba).i32(0x108002);      // mov r10d, MAP_PRIVATE|MAP_POPULATE|MAP_FIXED_NOREPLACE
    a.b(0x4d, 0x89, 0xe0);              // mov r8, r12
    a.b(0x45, 0x31, 0xc9);              // xor r9d, r9d
    a.b(0xb8).i32(9);                   // mov eax, 9 (SYS_mmap)
    a.b(0x0f, 0x05);                    // syscall
    a.b(0x48, 0x3b, 0x44, 0x24, 0x18);  // cmp rax, [rsp+24]
    a.b(0x0f, 0x85).rel32("mapfail");   // jne mapfail
    a.b(0x49, 0x89, 0xc6);              // mov r14, rax
    a.b(0x4c, 0x89, 0xe7);              // mov rdi, r12
    a.b(0xb8).i32(3);                   // mov eax, 3 (SYS_close)
    a.b(0x0f, 0x05);                    // syscall
    a.b(0x4d, 0x8b, 0x7e, 0x10);        // mov r15, [r14+16]
    a.b(0xe9).rel32("loop");            // jmp loop
    a.label("mapfail");
    a.b(0x48, 0xc7, 0x44, 0x24, 0x30).i32((int) SpawnChannel.STUB_MAP); // mov qword [rsp+48], STUB_MAP
    a.b(0x48, 0x3d).i32(-4095);         // cmp rax, -4095
    a.b(0x73).rel8("haveerr");          // jae haveerr
    a.b(0x48, 0xc7, 0xc0).i32(-17);     // mov rax, -EEXIST (mapped elsewhere: a kernel without the flag)
    a.label("haveerr");
    a.b(0x48, 0x89, 0x44, 0x24, 0x38);  // mov [rsp+56], rax
    a.b(0x48, 0x8b, 0x3c, 0x24);        // mov rdi, [rsp]      (report fd)
    a.b(0x48, 0x8d, 0x74, 0x24, 0x30);  // lea rsi, [rsp+48]
    a.b(0xba).i32(16);                  // mov edx, 16
    a.b(0xb8).i32(1);                   // mov eax, 1 (SYS_write)
    a.b(0x0f, 0x05);                    // syscall
    a.label("die");
    a.b(0xbf).i32(127);                 // mov edi, 127
    a.b(0xb8).i32(231);                 // mov eax, 231 (SYS_exit_group)
    a.b(0x0f, 0x05);                    // syscall
    a.label("sigexit");                 // a signal handler: edi = signo
    a.b(0x81, 0xc7).i32(128);           // add edi, 128
    a.b(0xb8).i32(231);                 // mov eax, 231 (SYS_exit_group)
    a.b(0x0f, 0x05);                    // syscall
    a.b(0xeb).rel8("sigexit");          // not reached
    if (whole) interpreter(a, true);
    return a;
  }

  /**
   * The program interpreter: entered at "loop" with r14 = header, r15 = step. In the stub
   * ({@code stub}), a failed step with a say prefix ([r15+120]) first writes, in one write to fd
   * 2, the prefix, the errno's text (a table after the code, {@link Errno#texts}) and a
   * newline; the trampoline's child has no stack of its own to build that on, and ignores it.
   *
   * <pre>
   * say:   buf = rsp - BUF ; copy the prefix (at most SAY_MAX bytes) ; e = -[r15+64]
   *        copy line e of errtab with its newline (1 <= e <= 133, not empty),
   *        else "unknown error\n" ; block SIGPIPE ; write(2, buf, length)
   * </pre>
   */
  private static void interpreter(Asm a, boolean stub) {
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
    if (stub) say(a);
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
  }

  /** The say block of the stub's report path (see {@link #interpreter}); falls through to "plain". */
  private static void say(Asm a) {
    int buf = SAY_MAX + 128;            // the prefix, the longest text (< 64), a signal mask at +120; 16-aligned
    a.b(0x49, 0x8b, 0x4f, 0x78);        // mov rcx, [r15+120]
    a.b(0x48, 0x85, 0xc9);              // test rcx, rcx
    a.b(0x0f, 0x84).rel32("plain");     // jz plain
    a.b(0x48, 0x81, 0xec).i32(buf);     // sub rsp, BUF
    a.b(0x48, 0x89, 0xce);              // mov rsi, rcx
    a.b(0x48, 0x89, 0xe7);              // mov rdi, rsp
    a.b(0x4c, 0x8d, 0x84, 0x24).i32(SAY_MAX); // lea r8, [rsp+SAY_MAX]
    a.label("copy");
    a.b(0x4c, 0x39, 0xc7);              // cmp rdi, r8
    a.b(0x73).rel8("copied");           // jae copied
    a.b(0x8a, 0x06);                    // mov al, [rsi]
    a.b(0x84, 0xc0);                    // test al, al
    a.b(0x74).rel8("copied");           // jz copied
    a.b(0x88, 0x07);                    // mov [rdi], al
    a.b(0x48, 0xff, 0xc6);              // inc rsi
    a.b(0x48, 0xff, 0xc7);              // inc rdi
    a.b(0xeb).rel8("copy");             // jmp copy
    a.label("copied");
    a.b(0x49, 0x8b, 0x47, 0x40);        // mov rax, [r15+64]
    a.b(0x48, 0xf7, 0xd8);              // neg rax
    a.b(0x48, 0xff, 0xc8);              // dec rax          (errno - 1: the lines to skip)
    a.b(0x48, 0x3d).i32(Errno.LAST);    // cmp rax, LAST
    a.b(0x0f, 0x83).rel32("unknown");   // jae unknown      (unsigned: errno 0 or negative too)
    a.b(0x48, 0x8d, 0x35).rel32("errtab"); // lea rsi, [rip+errtab]
    a.label("skip");
    a.b(0x48, 0x85, 0xc0);              // test rax, rax
    a.b(0x74).rel8("line");             // jz line
    a.label("newline");
    a.b(0x8a, 0x0e);                    // mov cl, [rsi]
    a.b(0x48, 0xff, 0xc6);              // inc rsi
    a.b(0x80, 0xf9, 0x0a);              // cmp cl, '\n'
    a.b(0x75).rel8("newline");          // jne newline
    a.b(0x48, 0xff, 0xc8);              // dec rax
    a.b(0xeb).rel8("skip");             // jmp skip
    a.label("line");
    a.b(0x80, 0x3e, 0x0a);              // cmp byte [rsi], '\n'
    a.b(0x74).rel8("unknown");          // je unknown       (an empty line: no text for it)
    a.label("text");
    a.b(0x8a, 0x0e);                    // mov cl, [rsi]
    a.b(0x88, 0x0f);                    // mov [rdi], cl
    a.b(0x48, 0xff, 0xc6);              // inc rsi
    a.b(0x48, 0xff, 0xc7);              // inc rdi
    a.b(0x80, 0xf9, 0x0a);              // cmp cl, '\n'
    a.b(0x75).rel8("text");             // jne text         (the newline copied too)
    a.b(0xeb).rel8("said");             // jmp said
    a.label("unknown");
    a.b(0x48, 0x8d, 0x35).rel32("unknowntext"); // lea rsi, [rip+unknowntext]
    a.b(0xb9).i32(UNKNOWN.length());    // mov ecx, its length
    a.b(0xf3, 0xa4);                    // rep movsb
    a.label("said");
    a.b(0x48, 0x89, 0xfa);              // mov rdx, rdi
    a.b(0x48, 0x29, 0xe2);              // sub rdx, rsp     (the message's length)
    a.b(0x49, 0x89, 0xd1);              // mov r9, rdx
    // SIGPIPE blocked first: a stderr whose reader is gone must not end the child before its
    // report (the write fails with EPIPE then, and the pending signal dies with the child)
    a.b(0x48, 0xc7, 0x84, 0x24).i32(SAY_MAX + 120).i32(1 << 12); // mov qword [rsp+SAY_MAX+120], 1 << (SIGPIPE - 1)
    a.b(0x31, 0xff);                    // xor edi, edi     (SIG_BLOCK)
    a.b(0x48, 0x8d, 0xb4, 0x24).i32(SAY_MAX + 120); // lea rsi, [rsp+SAY_MAX+120]
    a.b(0x31, 0xd2);                    // xor edx, edx
    a.b(0x41, 0xba).i32(8);             // mov r10d, 8
    a.b(0xb8).i32(14);                  // mov eax, 14 (SYS_rt_sigprocmask)
    a.b(0x0f, 0x05);                    // syscall
    a.b(0xbf).i32(2);                   // mov edi, 2
    a.b(0x48, 0x89, 0xe6);              // mov rsi, rsp
    a.b(0x4c, 0x89, 0xca);              // mov rdx, r9
    a.b(0xb8).i32(1);                   // mov eax, 1 (SYS_write)
    a.b(0x0f, 0x05);                    // syscall          (its result does not matter)
    a.b(0x48, 0x81, 0xc4).i32(buf);     // add rsp, BUF
    a.label("plain");
  }


  /**
   * "errtab": {@link Errno#texts}, one line per errno from 1 to {@link Errno#LAST} (empty where
   * Linux has none), as they are; then "unknowntext", {@link #UNKNOWN}. The say block skips
   * errno - 1 lines: only on a failure, in the child, and not one Java loop here.
   */
  private static void errnoTexts(Asm a) {
    a.label("errtab");
    a.raw(Errno.texts().getBytes(StandardCharsets.ISO_8859_1));
    a.label("unknowntext");
    a.raw(UNKNOWN.getBytes(StandardCharsets.ISO_8859_1));
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

    Asm raw(byte[] bytes) {
      out.writeBytes(bytes);
      return this;
    }

    Asm i64(long v) {
      return i32((int) v).i32((int) (v >>> 32));
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
