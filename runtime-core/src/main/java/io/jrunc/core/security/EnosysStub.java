package io.jrunc.core.security;

import io.jrunc.core.log.Logs;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.LibSeccomp;
import io.jrunc.spec.LinuxSeccomp;
import io.jrunc.spec.LinuxSyscall;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * The -ENOSYS prologue runc prepends to every non-permissive filter
 * (libcontainer/seccomp/patchbpf): a syscall numbered above the highest one the profile
 * names, for that architecture, returns ENOSYS instead of the default action. A profile
 * written before a syscall existed then makes libc fall back (glibc tries clone3, then
 * clone, only on ENOSYS) instead of failing on EPERM.
 *
 * <p>Skipped, as in runc, when the default action is permissive (ALLOW, LOG, TRACE), when
 * {@code defaultErrnoRet} already is ENOSYS, and for architectures not listed in
 * {@code architectures}.
 *
 * <table>
 *   <caption>Layout (every conditional is "skip the next {@code ja} unless ...", so no jump
 *   offset is limited to 255 whatever the size)</caption>
 *   <tr><td>ld [4]</td><td>the audit arch</td></tr>
 *   <tr><td>per arch: jeq #AUDIT_ARCH; ja section</td><td></td></tr>
 *   <tr><td>ja filter</td><td>any other arch: libseccomp's bad-arch action</td></tr>
 *   <tr><td>section: ld [0]; jgt #last; ja enosys; ja filter</td><td>x86-64 and x32 share
 *       AUDIT_ARCH_X86_64; x32 numbers carry bit 30, tested first with jset</td></tr>
 *   <tr><td>enosys: ret #SECCOMP_RET_ERRNO|ENOSYS</td><td></td></tr>
 *   <tr><td>filter: libseccomp's program</td><td></td></tr>
 * </table>
 */
final class EnosysStub {
  /** Looked up when a line is written (SLF4J's bootstrap is ~0.5 ms of a cold JVM). */
  private static Logger log() {
    return Logs.get(EnosysStub.class);
  }

  private EnosysStub() {}

  static final int RET_ENOSYS = 0x00050000 | Errno.ENOSYS;
  static final int AUDIT_ARCH_X86_64 = 0xC000003E;
  static final int X32_BIT = 0x40000000;
  static final int AUDIT_ARCH_S390 = 0x00000016, AUDIT_ARCH_S390X = 0x80000016;

  // classic BPF opcodes
  private static final int LD_W_ABS = 0x20, JA = 0x05, JEQ = 0x15, JGT = 0x25, JSET = 0x45, RET_K = 0x06;

  static boolean wanted(LinuxSeccomp s) {
    String def = s.defaultAction();
    if ("SCMP_ACT_ALLOW".equals(def) || "SCMP_ACT_LOG".equals(def) || "SCMP_ACT_TRACE".equals(def)) return false;
    return s.defaultErrnoRet() == null || s.defaultErrnoRet() != Errno.ENOSYS;
  }

  /**
   * The prologue to put in front of libseccomp's program, or an empty array; {@code resolved}
   * holds the profile's names (the native architecture's numbers already looked up for the
   * rules).
   */
  static byte[] build(LinuxSeccomp s, SeccompCompiler.Resolved resolved) {
    if (!wanted(s) || s.architectures() == null) return new byte[0];
    int x32Token = LibSeccomp.archResolveName("x32");
    int nativeToken = LibSeccomp.archNative();
    // audit arch -> (libseccomp token -> highest syscall number named), in listing order
    Map<Integer, Map<Integer, Integer>> last = new LinkedHashMap<>();
    for (String name : s.architectures()) {
      int token = SeccompCompiler.archToken(name);
      if (token == 0) continue; // the compiler reports it
      int audit = token == x32Token ? AUDIT_ARCH_X86_64 : token;
      Map<Integer, Integer> perToken = last.computeIfAbsent(audit, k -> new LinkedHashMap<>());
      if (perToken.containsKey(token)) continue;
      int max = 0;
      for (LinuxSyscall c : s.syscalls() == null ? List.<LinuxSyscall>of() : s.syscalls()) {
        if (c == null || c.names() == null) continue;
        for (String n : c.names()) {
          if (n == null || n.isEmpty()) continue;
          int nr = token == nativeToken ? resolved.nativeNr(n) : resolved.nr(token, n);
          if (nr > max) max = nr; // negative: not on this arch (or unknown)
        }
      }
      if (max > 0) perToken.put(token, max);
      else log().warn("could not find any syscalls for arch {}", name);
    }
    last.values().removeIf(Map::isEmpty);
    if (last.isEmpty()) return new byte[0];

    Asm a = new Asm();
    a.op(LD_W_ABS, 0, 0, 4);
    for (int audit : last.keySet()) {
      a.op(JEQ, 0, 1, audit);
      a.ja("arch" + audit);
    }
    a.ja("filter");
    for (var e : last.entrySet()) {
      int audit = e.getKey();
      Map<Integer, Integer> perToken = e.getValue();
      a.label("arch" + audit);
      a.op(LD_W_ABS, 0, 0, 0);
      if (audit == AUDIT_ARCH_S390 || audit == AUDIT_ARCH_S390X) {
        // setup(2), number 0, is where s390 multiplexes syscall numbers the kernel does not know
        a.op(JEQ, 0, 1, 0);
        a.ja("enosys");
      }
      if (audit == AUDIT_ARCH_X86_64) {
        Integer x64 = perToken.get(AUDIT_ARCH_X86_64), x32 = perToken.get(x32Token);
        a.op(JSET, 0, 1, X32_BIT);
        a.ja(x32 != null ? "x32" : "filter");
        if (x64 != null) {
          a.op(JGT, 0, 1, x64);
          a.ja("enosys");
        }
        a.ja("filter");
        if (x32 != null) {
          a.label("x32");
          a.op(JGT, 0, 1, x32);
          a.ja("enosys");
          a.ja("filter");
        }
      } else {
        a.op(JGT, 0, 1, perToken.values().iterator().next());
        a.ja("enosys");
        a.ja("filter");
      }
    }
    a.label("enosys");
    a.op(RET_K, 0, 0, RET_ENOSYS);
    a.label("filter");
    return a.assemble();
  }

  /** A tiny forward-only assembler: {@code ja} to labels, everything else literal. */
  private static final class Asm {
    private final List<int[]> insns = new ArrayList<>(); // {code, jt, jf, k}
    private final List<String> targets = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();

    void op(int code, int jt, int jf, int k) {
      insns.add(new int[] {code, jt, jf, k});
      targets.add(null);
    }

    void ja(String label) {
      insns.add(new int[] {JA, 0, 0, 0});
      targets.add(label);
    }

    void label(String name) {
      labels.put(name, insns.size());
    }

    byte[] assemble() {
      ByteBuffer b = ByteBuffer.allocate(insns.size() * 8).order(ByteOrder.nativeOrder());
      for (int i = 0; i < insns.size(); i++) {
        int[] in = insns.get(i);
        int k = in[3];
        if (targets.get(i) != null) k = labels.get(targets.get(i)) - (i + 1);
        b.putShort((short) in[0]).put((byte) in[1]).put((byte) in[2]).putInt(k);
      }
      return b.array();
    }
  }
}
