package io.jrunc.core.security;

import io.jrunc.core.log.Logs;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.LibSeccomp;
import io.jrunc.core.sys.SysException;
import io.jrunc.spec.LinuxSeccomp;
import io.jrunc.spec.LinuxSeccompArg;
import io.jrunc.spec.LinuxSyscall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;

/**
 * Compiles {@code linux.seccomp} into classic BPF in the parent, with libseccomp (through FFM,
 * see {@link LibSeccomp}). The child then needs a single {@code seccomp(2)} call.
 *
 * <p>Why libseccomp rather than our own BPF generator: it knows every architecture's syscall
 * table (including the x86 {@code socketcall}/{@code ipc} multiplexers and x32), checks the
 * audit arch of every call, and lays rules out as a binary tree for long profiles. A table
 * of our own would be one more thing to keep in sync with the kernel, for each architecture
 * the {@code architectures} list may name.
 *
 * <p>runc is the reference for every choice here (libcontainer/seccomp/seccomp_linux.go):
 * <ul>
 *   <li>{@code SCMP_ACT_KILL} means kill the thread (the process when single-threaded: exit
 *       by SIGSYS, status 159); {@code SCMP_ACT_ERRNO}/{@code SCMP_ACT_TRACE} without
 *       {@code errnoRet} return {@code EPERM}.
 *   <li>A rule whose action equals the default action is redundant and skipped.
 *   <li>A syscall name libseccomp does not know is skipped (debug log): profiles list calls
 *       that older kernels lack.
 *   <li>Argument conditions on distinct argument indexes form one rule (they are ANDed); if
 *       one index appears twice, each condition becomes a rule of its own (ORed), because
 *       libseccomp cannot AND two conditions on one argument.
 *   <li>{@code SECCOMP_FILTER_FLAG_TSYNC} is accepted and ignored: the child is single-threaded.
 *   <li>{@code SCMP_ACT_NOTIFY} cannot be used as the default action, nor apply to {@code write}
 *       (runc's rule and words: the child's one call before the agent has the listener is a
 *       {@code write} announcing it, {@link SeccompSetup#emitHandOff}); every other call,
 *       {@code close} and {@code sendmsg} included, may be NOTIFY'd.
 *   <li>More than 32 rules turn on libseccomp's binary-tree optimisation.
 *   <li>No seccomp at all when the section has neither a default action nor rules.
 *   <li>Syscalls newer than any the profile names return ENOSYS ({@link EnosysStub}).
 * </ul>
 */
public final class SeccompCompiler {
  /** Looked up when a line is written: SLF4J's bootstrap costs ~0.5 ms of a CLI exec or create. */
  private static Logger log() {
    return Logs.get(SeccompCompiler.class);
  }

  /** seccomp(2) filter flags (linux/seccomp.h). */
  public static final long FLAG_TSYNC = 1, FLAG_LOG = 2, FLAG_SPEC_ALLOW = 4, FLAG_NEW_LISTENER = 8,
      FLAG_WAIT_KILLABLE_RECV = 32;

  private SeccompCompiler() {}

  /**
   * Compiles the section, or returns null when it asks for no filter (no default action and
   * no rules, as runc treats it).
   *
   * @throws SecurityConfigException for an unknown action, architecture, operator or flag,
   *     naming the JSON path
   */
  public static CompiledSeccomp compile(LinuxSeccomp s) {
    if (s == null) return null;
    List<LinuxSyscall> syscalls = s.syscalls() == null ? List.of() : s.syscalls();
    if ((s.defaultAction() == null || s.defaultAction().isEmpty()) && syscalls.isEmpty()) return null;

    int defAct = action(s.defaultAction(), s.defaultErrnoRet(), "linux.seccomp.defaultAction",
        "linux.seccomp.defaultErrnoRet");
    if (defAct == LibSeccomp.SCMP_ACT_NOTIFY) {
      throw new SecurityConfigException("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be used as default action");
    }
    boolean notify = false;
    int names = 0;
    for (int i = 0; i < syscalls.size(); i++) {
      LinuxSyscall c = syscalls.get(i);
      if (c == null) throw new SecurityConfigException("linux.seccomp.syscalls[" + i + "]: must not be null");
      if (c.names() == null || c.names().isEmpty()) {
        throw new SecurityConfigException("linux.seccomp.syscalls[" + i + "].names: must list at least one syscall");
      }
      names += c.names().size();
      if ("SCMP_ACT_NOTIFY".equals(c.action())) {
        notify = true;
        // The child announces the listener with a write before anyone can answer (runc's rule)
        if (c.names().contains("write")) {
          throw new SecurityConfigException("linux.seccomp.syscalls[" + i
              + "]: SCMP_ACT_NOTIFY cannot be used for the write syscall");
        }
      }
    }
    if (notify && (s.listenerPath() == null || s.listenerPath().isEmpty())) {
      throw new SecurityConfigException("linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY");
    }
    long flags = flags(s.flags());
    if (!LibSeccomp.available()) throw new SecurityConfigException("linux.seccomp: " + LibSeccomp.MISSING);

    List<String> all = new ArrayList<>(names);
    for (LinuxSyscall c : syscalls) all.addAll(c.names());
    try (LibSeccomp.Names table = new LibSeccomp.Names(all)) {
      return compile(s, syscalls, defAct, flags, notify, names, new Resolved(table));
    }
  }

  /**
   * The profile's names resolved through one {@link LibSeccomp.Names} table, each name's native
   * number once: the rules and the ENOSYS prologue both need it.
   */
  static final class Resolved {
    private final LibSeccomp.Names table;
    private final java.util.Map<String, Integer> nativeNr = new java.util.HashMap<>();

    Resolved(LibSeccomp.Names table) {
      this.table = table;
    }

    int nativeNr(String name) {
      Integer nr = nativeNr.get(name);
      if (nr == null) {
        nr = table.resolve(name);
        nativeNr.put(name, nr);
      }
      return nr;
    }

    int nr(int archToken, String name) {
      return table.resolve(archToken, name);
    }
  }

  private static CompiledSeccomp compile(LinuxSeccomp s, List<LinuxSyscall> syscalls, int defAct, long flags,
      boolean notify, int names, Resolved resolved) {
    MemorySegment ctx = LibSeccomp.init(defAct);
    if (ctx.equals(MemorySegment.NULL)) {
      throw new SecurityConfigException("linux.seccomp.defaultAction: libseccomp rejected \"" + s.defaultAction()
          + "\" (seccomp_init failed; libseccomp " + LibSeccomp.version() + ")");
    }
    try {
      List<String> archs = s.architectures() == null ? List.of() : s.architectures();
      for (int i = 0; i < archs.size(); i++) {
        String a = archs.get(i);
        int token = archToken(a);
        if (token == 0) {
          throw new SecurityConfigException("linux.seccomp.architectures[" + i + "]: unknown architecture \"" + a + "\"");
        }
        int rc = LibSeccomp.archAdd(ctx, token);
        if (rc < 0 && rc != -Errno.EEXIST) {
          throw new SecurityConfigException("linux.seccomp.architectures[" + i + "]: adding architecture \"" + a
              + "\" failed: " + Errno.describe(-rc));
        }
      }
      if (names > 32 && LibSeccomp.attrSet(ctx, LibSeccomp.SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0) {
        log().debug("seccomp binary tree optimisation not available in libseccomp {}", LibSeccomp.version());
      }
      // The runtime decides about no_new_privs itself (process.noNewPrivileges).
      LibSeccomp.attrSet(ctx, LibSeccomp.SCMP_FLTATR_CTL_NNP, 0);

      int rules = 0;
      for (int i = 0; i < syscalls.size(); i++) {
        rules += addRules(ctx, syscalls.get(i), i, defAct, resolved);
      }
      byte[] bpf;
      try {
        bpf = LibSeccomp.exportBpf(ctx);
      } catch (SysException e) {
        throw new SecurityConfigException("linux.seccomp: exporting the compiled filter failed: " + e.getMessage());
      } catch (IOException e) {
        throw new UncheckedIOException("reading the exported seccomp filter: " + e.getMessage(), e);
      }
      if (bpf.length == 0 || bpf.length % 8 != 0) {
        throw new IllegalStateException("libseccomp exported a malformed filter of " + bpf.length + " bytes");
      }
      byte[] stub = EnosysStub.build(s, resolved);
      if (stub.length > 0) {
        byte[] both = new byte[stub.length + bpf.length];
        System.arraycopy(stub, 0, both, 0, stub.length);
        System.arraycopy(bpf, 0, both, stub.length, bpf.length);
        bpf = both;
      }
      if (bpf.length / 8 > 4096) {
        // BPF_MAXINSNS: the kernel would refuse it with EINVAL; say why here.
        throw new SecurityConfigException("linux.seccomp: the compiled filter has " + bpf.length / 8
            + " instructions, more than the kernel's limit of 4096");
      }
      return new CompiledSeccomp(bpf, flags, notify, rules);
    } finally {
      LibSeccomp.release(ctx);
    }
  }

  private static int addRules(MemorySegment ctx, LinuxSyscall c, int i, int defAct, Resolved resolved) {
    String path = "linux.seccomp.syscalls[" + i + "]";
    int act = action(c.action(), c.errnoRet(), path + ".action", path + ".errnoRet");
    List<LinuxSeccompArg> args = c.args() == null ? List.of() : c.args();
    long[][] conds = new long[args.size()][];
    int[] perIndex = new int[6];
    boolean sameIndexTwice = false;
    for (int k = 0; k < args.size(); k++) {
      conds[k] = condition(args.get(k), path + ".args[" + k + "]");
      if (++perIndex[(int) conds[k][0]] > 1) sameIndexTwice = true;
    }
    if (act == defAct) return 0; // redundant with the default; libseccomp would refuse it
    int added = 0;
    for (int j = 0; j < c.names().size(); j++) {
      String name = c.names().get(j);
      if (name == null || name.isEmpty()) {
        throw new SecurityConfigException(path + ".names[" + j + "]: the empty string is not a syscall name");
      }
      int nr = resolved.nativeNr(name);
      if (nr == LibSeccomp.NR_SCMP_ERROR) {
        log().debug("unknown seccomp syscall \"{}\" ignored", name);
        continue;
      }
      if (conds.length == 0 || !sameIndexTwice) {
        check(LibSeccomp.ruleAddArray(ctx, act, nr, conds), path, name);
        added++;
      } else {
        for (long[] cond : conds) {
          check(LibSeccomp.ruleAddArray(ctx, act, nr, new long[][] {cond}), path, name);
          added++;
        }
      }
    }
    return added;
  }

  private static void check(int rc, String path, String name) {
    if (rc < 0) {
      throw new SecurityConfigException(path + ": adding the rule for syscall \"" + name + "\" failed: "
          + Errno.describe(-rc));
    }
  }

  /** {arg, op, datum_a, datum_b}; for MASKED_EQ value is the mask and valueTwo the datum, as in libseccomp. */
  static long[] condition(LinuxSeccompArg a, String path) {
    if (a == null) throw new SecurityConfigException(path + ": must not be null");
    if (a.index() == null || a.index() < 0 || a.index() > 5) {
      throw new SecurityConfigException(path + ".index: " + a.index() + " is not a syscall argument index (0..5)");
    }
    int op = switch (a.op() == null ? "" : a.op()) {
      case "SCMP_CMP_NE" -> LibSeccomp.SCMP_CMP_NE;
      case "SCMP_CMP_LT" -> LibSeccomp.SCMP_CMP_LT;
      case "SCMP_CMP_LE" -> LibSeccomp.SCMP_CMP_LE;
      case "SCMP_CMP_EQ" -> LibSeccomp.SCMP_CMP_EQ;
      case "SCMP_CMP_GE" -> LibSeccomp.SCMP_CMP_GE;
      case "SCMP_CMP_GT" -> LibSeccomp.SCMP_CMP_GT;
      case "SCMP_CMP_MASKED_EQ" -> LibSeccomp.SCMP_CMP_MASKED_EQ;
      default -> throw new SecurityConfigException(path + ".op: unknown seccomp operator \"" + a.op() + "\"");
    };
    return new long[] {a.index(), op, a.value() == null ? 0 : a.value(), a.valueTwo() == null ? 0 : a.valueTwo()};
  }

  /** The libseccomp action value for a spec action name. */
  static int action(String name, Long errnoRet, String path, String errnoPath) {
    if (name == null || name.isEmpty()) throw new SecurityConfigException(path + ": missing seccomp action");
    return switch (name) {
      case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> LibSeccomp.SCMP_ACT_KILL_THREAD;
      case "SCMP_ACT_KILL_PROCESS" -> LibSeccomp.SCMP_ACT_KILL_PROCESS;
      case "SCMP_ACT_TRAP" -> LibSeccomp.SCMP_ACT_TRAP;
      case "SCMP_ACT_ERRNO" -> LibSeccomp.actErrno(errno(errnoRet, errnoPath));
      case "SCMP_ACT_TRACE" -> LibSeccomp.actTrace(errno(errnoRet, errnoPath));
      case "SCMP_ACT_ALLOW" -> LibSeccomp.SCMP_ACT_ALLOW;
      case "SCMP_ACT_LOG" -> LibSeccomp.SCMP_ACT_LOG;
      case "SCMP_ACT_NOTIFY" -> LibSeccomp.SCMP_ACT_NOTIFY;
      default -> throw new SecurityConfigException(path + ": unknown seccomp action \"" + name + "\"");
    };
  }

  private static int errno(Long v, String path) {
    if (v == null) return Errno.EPERM;
    // The kernel keeps 16 bits (SECCOMP_RET_DATA); runc truncates silently, we say so instead.
    if (v < 0 || v > 0xffff) throw new SecurityConfigException(path + ": " + v + " is out of range (0..65535)");
    return (int) (long) v;
  }

  static long flags(List<String> flags) {
    long f = 0;
    if (flags == null) return f;
    for (int i = 0; i < flags.size(); i++) {
      String name = flags.get(i);
      f |= switch (name == null ? "" : name) {
        case "SECCOMP_FILTER_FLAG_TSYNC" -> 0; // single-threaded child: nothing to synchronise
        case "SECCOMP_FILTER_FLAG_LOG" -> FLAG_LOG;
        case "SECCOMP_FILTER_FLAG_SPEC_ALLOW" -> FLAG_SPEC_ALLOW;
        case "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" -> FLAG_WAIT_KILLABLE_RECV;
        default -> throw new SecurityConfigException("linux.seccomp.flags[" + i + "]: unknown seccomp flag \"" + name + "\"");
      };
    }
    return f;
  }

  /** {@code SCMP_ARCH_X86_64} → libseccomp's token for {@code x86_64}; 0 when unknown. */
  static int archToken(String specName) {
    if (specName == null || !specName.startsWith("SCMP_ARCH_") || specName.length() == 10) return 0;
    return LibSeccomp.archResolveName(specName.substring(10).toLowerCase(Locale.ROOT));
  }

  /** The syscall names of a spec list libseccomp resolves, in order (for diagnostics and tests). */
  static List<String> resolvable(List<String> names) {
    List<String> out = new ArrayList<>();
    for (String n : names) if (LibSeccomp.syscallResolveName(n) != LibSeccomp.NR_SCMP_ERROR) out.add(n);
    return out;
  }
}
