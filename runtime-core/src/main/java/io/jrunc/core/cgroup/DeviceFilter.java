package io.jrunc.core.cgroup;

import java.util.ArrayList;
import java.util.List;

/**
 * Compiles device rules into a {@code BPF_PROG_TYPE_CGROUP_DEVICE} program: cgroup v2 has no
 * devices.allow file, the kernel asks an eBPF program attached to the cgroup instead (the same
 * design as runc's devicefilter and crun's ebpf.c; the instructions are our own).
 *
 * <p>Semantics (those of v1's list, as far as a program without state can have them): rules are
 * read in config order; an "all devices, rwm" rule ({@code a *:* rwm}) sets the default and
 * forgets the rules before it; the program then checks the remaining rules <em>last first</em>
 * and the first that matches decides. An allow rule matches when the requested access is a
 * subset of its access; a deny rule when the request asks for any of its access (so
 * {@code deny c 1:3 w} refuses an O_RDWR open of /dev/null that an earlier
 * {@code allow c 1:3 rwm} allowed). Default with no wildcard rule: deny.
 *
 * <table>
 * <caption>The program ({@code struct bpf_cgroup_dev_ctx *} in R1)</caption>
 * <tr><th>insn</th><th>meaning</th></tr>
 * <tr><td>ldxw r2,[r1+0]; and32 r2,0xffff</td><td>r2 = device type (1 block, 2 char)</td></tr>
 * <tr><td>ldxw r3,[r1+0]; rsh32 r3,16</td><td>r3 = access (1 mknod, 2 read, 4 write)</td></tr>
 * <tr><td>ldxw r4,[r1+4]; ldxw r5,[r1+8]</td><td>r4 = major, r5 = minor</td></tr>
 * <tr><td>per rule: jne32 r2,TYPE,next</td><td>unless type a</td></tr>
 * <tr><td>mov32 r1,r3; and32 r1,ACC; jne32 r1,r3,next (allow) / jeq32 r1,0,next (deny)</td><td>unless rwm</td></tr>
 * <tr><td>jne32 r4,MAJOR,next; jne32 r5,MINOR,next</td><td>unless *</td></tr>
 * <tr><td>mov32 r0,ALLOW; exit</td><td>1 allows, 0 denies (EPERM)</td></tr>
 * <tr><td>mov32 r0,DEFAULT; exit</td><td>no rule matched</td></tr>
 * </table>
 */
public final class DeviceFilter {
  private DeviceFilter() {}

  // opcodes (include/uapi/linux/bpf.h, bpf_common.h)
  static final int LDXW = 0x61, AND32_K = 0x54, RSH32_K = 0x74, MOV32_K = 0xb4, MOV32_X = 0xbc,
      JNE32_K = 0x56, JEQ32_K = 0x16, JNE32_X = 0x5e, EXIT = 0x95;
  static final int DEV_BLOCK = 1, DEV_CHAR = 2, ACC_MKNOD = 1, ACC_READ = 2, ACC_WRITE = 4;

  /** The license the program declares (GPL-only helpers are not used; "Apache" would do too). */
  public static final String LICENSE = "Apache";

  /** One packed {@code struct bpf_insn}: code, dst_reg:4, src_reg:4, s16 off, s32 imm (little endian). */
  static long insn(int code, int dst, int src, int off, int imm) {
    return (code & 0xffL) | ((long) (dst & 0xf) << 8) | ((long) (src & 0xf) << 12)
        | ((long) (off & 0xffff) << 16) | ((imm & 0xffffffffL) << 32);
  }

  /** The effective rules and default after applying wildcard rules. */
  public record Effective(boolean defaultAllow, List<DeviceRule> rules) {}

  public static Effective effective(List<DeviceRule> rules) {
    boolean dflt = false;
    List<DeviceRule> list = new ArrayList<>();
    for (DeviceRule r : rules) {
      if (r.isWildcard()) {
        dflt = r.allow();
        list.clear();
      } else if (r.allow() != dflt || !list.isEmpty()) {
        list.add(r);
      }
    }
    return new Effective(dflt, list);
  }

  public static long[] compile(List<DeviceRule> rules) {
    Effective e = effective(rules);
    List<Long> p = new ArrayList<>();
    p.add(insn(LDXW, 2, 1, 0, 0));
    p.add(insn(AND32_K, 2, 0, 0, 0xffff));
    p.add(insn(LDXW, 3, 1, 0, 0));
    p.add(insn(RSH32_K, 3, 0, 0, 16));
    p.add(insn(LDXW, 4, 1, 4, 0));
    p.add(insn(LDXW, 5, 1, 8, 0));
    for (int i = e.rules().size() - 1; i >= 0; i--) {
      DeviceRule r = e.rules().get(i);
      List<Long> block = new ArrayList<>();
      List<Integer> jumps = new ArrayList<>();
      if (r.type() != 'a') {
        jumps.add(block.size());
        block.add(insn(JNE32_K, 2, 0, 0, r.type() == 'b' ? DEV_BLOCK : DEV_CHAR));
      }
      int acc = access(r.access());
      if (acc != (ACC_MKNOD | ACC_READ | ACC_WRITE)) {
        block.add(insn(MOV32_X, 1, 3, 0, 0));
        block.add(insn(AND32_K, 1, 0, 0, acc));
        jumps.add(block.size());
        block.add(r.allow() ? insn(JNE32_X, 1, 3, 0, 0) : insn(JEQ32_K, 1, 0, 0, 0));
      }
      if (r.major() != DeviceRule.ANY) {
        jumps.add(block.size());
        block.add(insn(JNE32_K, 4, 0, 0, (int) r.major()));
      }
      if (r.minor() != DeviceRule.ANY) {
        jumps.add(block.size());
        block.add(insn(JNE32_K, 5, 0, 0, (int) r.minor()));
      }
      block.add(insn(MOV32_K, 0, 0, 0, r.allow() ? 1 : 0));
      block.add(insn(EXIT, 0, 0, 0, 0));
      for (int j : jumps) {
        long ins = block.get(j);
        int off = block.size() - j - 1; // to the first insn after this block
        block.set(j, (ins & ~(0xffffL << 16)) | ((long) (off & 0xffff) << 16));
      }
      p.addAll(block);
    }
    p.add(insn(MOV32_K, 0, 0, 0, e.defaultAllow() ? 1 : 0));
    p.add(insn(EXIT, 0, 0, 0, 0));
    long[] out = new long[p.size()];
    for (int i = 0; i < out.length; i++) out[i] = p.get(i);
    return out;
  }

  static int access(String a) {
    int v = 0;
    if (a.indexOf('m') >= 0) v |= ACC_MKNOD;
    if (a.indexOf('r') >= 0) v |= ACC_READ;
    if (a.indexOf('w') >= 0) v |= ACC_WRITE;
    return v;
  }

  /**
   * Runs the program the way the kernel would, for unit tests and for explaining a decision:
   * returns true when the access is allowed. Supports exactly the instructions {@link #compile} emits.
   */
  public static boolean evaluate(long[] prog, char type, long major, long minor, String access) {
    long[] reg = new long[11];
    int ctx0 = ((type == 'b' ? DEV_BLOCK : DEV_CHAR)) | (access(access) << 16);
    int pc = 0;
    while (true) {
      long ins = prog[pc++];
      int code = (int) (ins & 0xff), dst = (int) ((ins >> 8) & 0xf), src = (int) ((ins >> 12) & 0xf);
      short off = (short) ((ins >> 16) & 0xffff);
      int imm = (int) (ins >>> 32);
      switch (code) {
        case LDXW -> reg[dst] = switch (off) {
          case 0 -> ctx0 & 0xffffffffL;
          case 4 -> major & 0xffffffffL;
          case 8 -> minor & 0xffffffffL;
          default -> throw new IllegalStateException("bad ctx offset " + off);
        };
        case AND32_K -> reg[dst] = (reg[dst] & imm) & 0xffffffffL;
        case RSH32_K -> reg[dst] = ((reg[dst] & 0xffffffffL) >>> imm) & 0xffffffffL;
        case MOV32_K -> reg[dst] = imm & 0xffffffffL;
        case MOV32_X -> reg[dst] = reg[src] & 0xffffffffL;
        case JNE32_K -> { if ((int) reg[dst] != imm) pc += off; }
        case JEQ32_K -> { if ((int) reg[dst] == imm) pc += off; }
        case JNE32_X -> { if ((int) reg[dst] != (int) reg[src]) pc += off; }
        case EXIT -> { return reg[0] == 1; }
        default -> throw new IllegalStateException("unknown opcode " + code);
      }
    }
  }
}
