package io.jrunc.core.security;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A classic-BPF interpreter for seccomp programs (the subset the kernel's seccomp checker
 * accepts), so tests can ask "what does this filter return for syscall N with these
 * arguments" without loading it. Runs on {@code struct seccomp_data}: nr (0), arch (4),
 * instruction_pointer (8), args[6] (16..63).
 */
final class Bpf {
  private Bpf() {}

  static int run(byte[] prog, int auditArch, int nr, long... args) {
    ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
    data.putInt(0, nr).putInt(4, auditArch);
    for (int i = 0; i < args.length; i++) data.putLong(16 + 8 * i, args[i]);
    ByteBuffer p = ByteBuffer.wrap(prog).order(ByteOrder.nativeOrder());
    int n = prog.length / 8;
    int a = 0, x = 0;
    int[] mem = new int[16];
    for (int pc = 0, steps = 0; pc < n; pc++) {
      if (++steps > 100_000) throw new IllegalStateException("loop");
      int code = p.getShort(pc * 8) & 0xffff;
      int jt = p.get(pc * 8 + 2) & 0xff, jf = p.get(pc * 8 + 3) & 0xff;
      int k = p.getInt(pc * 8 + 4);
      switch (code) {
        case 0x20 -> a = data.getInt(k);                       // ld [k]
        case 0x00 -> a = k;                                    // ld #k
        case 0x01 -> x = k;                                    // ldx #k
        case 0x60 -> a = mem[k];                               // ld M[k]
        case 0x61 -> x = mem[k];                               // ldx M[k]
        case 0x02 -> mem[k] = a;                               // st M[k]
        case 0x03 -> mem[k] = x;                               // stx M[k]
        case 0x07 -> x = a;                                    // tax
        case 0x87 -> a = x;                                    // txa
        case 0x54 -> a &= k;                                   // and #k
        case 0x44 -> a |= k;                                   // or #k
        case 0x04 -> a += k;                                   // add #k
        case 0x14 -> a -= k;                                   // sub #k
        case 0x05 -> pc += k;                                  // ja
        case 0x15 -> pc += (a == k) ? jt : jf;                 // jeq #k
        case 0x25 -> pc += Integer.compareUnsigned(a, k) > 0 ? jt : jf;  // jgt #k
        case 0x35 -> pc += Integer.compareUnsigned(a, k) >= 0 ? jt : jf; // jge #k
        case 0x45 -> pc += (a & k) != 0 ? jt : jf;             // jset #k
        case 0x1d -> pc += (a == x) ? jt : jf;                 // jeq x
        case 0x06 -> { return k; }                             // ret #k
        case 0x16 -> { return a; }                             // ret a
        default -> throw new IllegalStateException("BPF opcode 0x" + Integer.toHexString(code) + " at " + pc);
      }
    }
    throw new IllegalStateException("fell off the end");
  }

  /** Whether some instruction compares the accumulator with {@code k} (jeq #k). */
  static boolean comparesWith(byte[] prog, int k) {
    ByteBuffer p = ByteBuffer.wrap(prog).order(ByteOrder.nativeOrder());
    for (int i = 0; i < prog.length / 8; i++) {
      if ((p.getShort(i * 8) & 0xffff) == 0x15 && p.getInt(i * 8 + 4) == k) return true;
    }
    return false;
  }
}
