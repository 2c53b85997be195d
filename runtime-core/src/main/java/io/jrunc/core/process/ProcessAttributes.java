package io.jrunc.core.process;


import io.jrunc.core.failure.InvalidConfigFailure;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.SchedAttr;
import io.jrunc.core.sys.Sys;
import io.jrunc.spec.CPUAffinity;
import io.jrunc.spec.Linux;
import io.jrunc.spec.LinuxIOPriority;
import io.jrunc.spec.LinuxMemoryPolicy;
import io.jrunc.spec.LinuxPersonality;
import io.jrunc.spec.Process;
import io.jrunc.spec.Scheduler;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import io.jrunc.core.sys.Memory;

/**
 * The process attributes that are one system call each: personality(2), sched_setattr(2),
 * ioprio_set(2), sched_setaffinity(2) ({@code execCPUAffinity}) and set_mempolicy(2), encoded
 * in the parent. The names and ranges are the validator's rules (create validates config.json,
 * exec {@code Validator.process}); a value that did not pass it is a bug here
 * (IllegalArgumentException), and NameTablesTest checks that every name it accepts is encoded.
 */
public final class ProcessAttributes {
  private ProcessAttributes() {}

  /** Refuses what the runtime does not implement, rather than ignoring it. */
  public static void checkSupported(Linux linux) throws InvalidConfigFailure {
    if (linux == null) return;
    if (linux.intelRdt() != null) {
      throw new InvalidConfigFailure("config.json: /linux/intelRdt: Intel RDT is not supported by jrunc");
    }
  }

  /** personality(2) for the domain; runtime-spec defines no flags yet that runc applies. */
  static void personality(ProgramBuilder b, LinuxPersonality p) {
    if (p == null) return;
    long persona = switch (p.domain() == null ? "" : p.domain()) {
      case "LINUX" -> 0x0000;
      case "LINUX32" -> 0x0008;
      default -> throw notValidated("/linux/personality/domain: unknown domain \"" + p.domain() + "\"");
    };
    if (p.flags() != null && !p.flags().isEmpty()) {
      throw notValidated("/linux/personality/flags: personality flags are not supported");
    }
    b.call(Sys.PERSONALITY, persona).describe("set personality ", p.domain());
  }

  /** sched_setattr(2) with a {@link SchedAttr}. */
  static void scheduler(ProgramBuilder b, Scheduler s) {
    if (s == null) return;
    int policy = switch (s.policy() == null ? "" : s.policy()) {
      case "SCHED_OTHER" -> 0;
      case "SCHED_FIFO" -> 1;
      case "SCHED_RR" -> 2;
      case "SCHED_BATCH" -> 3;
      case "SCHED_ISO" -> 4;
      case "SCHED_IDLE" -> 5;
      case "SCHED_DEADLINE" -> 6;
      default -> throw notValidated("/process/scheduler/policy: unknown policy \"" + s.policy() + "\"");
    };
    long flags = 0;
    if (s.flags() != null) {
      for (String f : s.flags()) {
        flags |= switch (f) {
          case "SCHED_FLAG_RESET_ON_FORK" -> 0x01;
          case "SCHED_FLAG_RECLAIM" -> 0x02;
          case "SCHED_FLAG_DL_OVERRUN" -> 0x04;
          case "SCHED_FLAG_KEEP_POLICY" -> 0x08;
          case "SCHED_FLAG_KEEP_PARAMS" -> 0x10;
          case "SCHED_FLAG_UTIL_CLAMP_MIN" -> 0x20;
          case "SCHED_FLAG_UTIL_CLAMP_MAX" -> 0x40;
          default -> throw notValidated("/process/scheduler/flags: unknown flag \"" + f + "\"");
        };
      }
    }
    MemorySegment attr = SchedAttr.write(b.alloc(SchedAttr.LAYOUT), policy, flags,
        s.nice() == null ? 0 : s.nice(), s.priority() == null ? 0 : s.priority(),
        s.runtime() == null ? 0 : s.runtime(), s.deadline() == null ? 0 : s.deadline(),
        s.period() == null ? 0 : s.period());
    b.call(Sys.SCHED_SETATTR, 0L, attr, 0L).describe("set scheduler ", s.policy());
  }

  /** ioprio_set(IOPRIO_WHO_PROCESS, 0, class << 13 | level). */
  static void ioPriority(ProgramBuilder b, LinuxIOPriority p) {
    if (p == null) return;
    long cls = switch (p.ioClass() == null ? "" : p.ioClass()) {
      case "IOPRIO_CLASS_RT" -> 1;
      case "IOPRIO_CLASS_BE" -> 2;
      case "IOPRIO_CLASS_IDLE" -> 3;
      default -> throw notValidated("/process/ioPriority/class: unknown class \"" + p.ioClass() + "\"");
    };
    int level = p.priority() == null ? 0 : p.priority();
    if (level < 0 || level > 7) {
      throw notValidated("/process/ioPriority/priority: " + level + " is not in 0-7");
    }
    b.call(Sys.IOPRIO_SET, 1L, 0L, (cls << 13) | level).describe("set I/O priority " + p.ioClass() + " " + level);
  }

  /** sched_setaffinity(0, size, mask) for a cpu list such as {@code 0-3,7}. */
  static void affinity(ProgramBuilder b, String cpus, String which) {
    if (cpus == null || cpus.isEmpty()) return;
    BitSet set = parseList(cpus, "/process/execCPUAffinity/" + which);
    long[] words = set.toLongArray();
    MemorySegment mask = b.alloc(8L * Math.max(1, words.length));
    for (int i = 0; i < words.length; i++) Memory.setLong(mask, 8L * i, words[i]);
    b.call(Sys.SCHED_SETAFFINITY, 0L, 8L * Math.max(1, words.length), mask).describe("set the " + which + " CPU affinity " + cpus);
  }

  /** An exec'd process's {@code execCPUAffinity.initial}, before it joins the container's cgroup. */
  static void initialAffinity(ProgramBuilder b, Process p) {
    CPUAffinity a = p.execCPUAffinity();
    if (a != null) affinity(b, a.initial(), "initial");
  }

  /**
   * An exec'd process's affinity once it is in the container's cgroup: {@code execCPUAffinity.final},
   * or without one the container's default ({@link #defaultAffinity}), as the spec says.
   */
  static void finalAffinity(ProgramBuilder b, Process p) {
    CPUAffinity a = p.execCPUAffinity();
    if (a != null && a.finalCpus() != null && !a.finalCpus().isEmpty()) {
      affinity(b, a.finalCpus(), "final");
    } else {
      defaultAffinity(b);
    }
  }

  /**
   * Every CPU the process's cpuset allows (cpu.cpus, or the host's), not the runtime's own
   * affinity: a runtime started under {@code taskset -c 0} would otherwise pin the container
   * there, as the kernel (6.2 on) keeps an affinity asked for across a cgroup move. The kernel
   * intersects a full mask with the cpuset (sched_setaffinity(2)); runc 1.2.7/1.3.1 and crun
   * 1.9.2 reset it likewise. Init's default too: execCPUAffinity "is not applicable to the
   * container's init process" (config.md). A failure leaves the inherited affinity, as runc's
   * warning does.
   */
  static void defaultAffinity(ProgramBuilder b) {
    long[] all = new long[FULL_MASK_BYTES / 8];
    Arrays.fill(all, -1L);
    long mask = b.stagedLongs(FULL_MASK_BYTES, 0, all);
    b.call(Sys.SCHED_SETAFFINITY, 0L, (long) FULL_MASK_BYTES, mask).allow(Errno.EINVAL, Errno.EPERM)
        .describe("reset the CPU affinity to the container's cpuset");
  }

  /** 8192 CPUs, x86-64's largest NR_CPUS: the kernel reads as much of a longer mask as it has CPUs. */
  private static final int FULL_MASK_BYTES = 1024;

  /** set_mempolicy(mode | flags, nodemask, maxnode). */
  static void memoryPolicy(ProgramBuilder b, LinuxMemoryPolicy m) {
    if (m == null) return;
    long mode = switch (m.mode() == null ? "" : m.mode()) {
      case "MPOL_DEFAULT" -> 0;
      case "MPOL_PREFERRED" -> 1;
      case "MPOL_BIND" -> 2;
      case "MPOL_INTERLEAVE" -> 3;
      case "MPOL_LOCAL" -> 4;
      case "MPOL_PREFERRED_MANY" -> 5;
      case "MPOL_WEIGHTED_INTERLEAVE" -> 6;
      default -> throw notValidated("/linux/memoryPolicy/mode: unknown mode \"" + m.mode() + "\"");
    };
    if (m.flags() != null) {
      for (String f : m.flags()) {
        mode |= switch (f) {
          case "MPOL_F_NUMA_BALANCING" -> 1 << 13;
          case "MPOL_F_RELATIVE_NODES" -> 1 << 14;
          case "MPOL_F_STATIC_NODES" -> 1 << 15;
          default -> throw notValidated("/linux/memoryPolicy/flags: unknown flag \"" + f + "\"");
        };
      }
    }
    if (m.nodes() == null || m.nodes().isEmpty()) {
      b.call(Sys.SET_MEMPOLICY, mode, 0L, 0L).describe("set memory policy ", m.mode());
      return;
    }
    BitSet nodes = parseList(m.nodes(), "/linux/memoryPolicy/nodes");
    long[] words = nodes.toLongArray();
    MemorySegment mask = b.alloc(8L * Math.max(1, words.length));
    for (int i = 0; i < words.length; i++) Memory.setLong(mask, 8L * i, words[i]);
    b.call(Sys.SET_MEMPOLICY, mode, mask, 64L * Math.max(1, words.length) + 1)
        .describe("set memory policy " + m.mode() + " on nodes " + m.nodes());
  }

  private static IllegalArgumentException notValidated(String what) {
    return new IllegalArgumentException(what + " (not a validated config)");
  }

  /** A list such as {@code 0-3,7} (cpuset syntax). */
  static BitSet parseList(String list, String where) {
    BitSet set = new BitSet();
    try {
      for (String part : List.of(list.split(","))) {
        String p = part.trim();
        int dash = p.indexOf('-');
        int lo = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
        int hi = dash < 0 ? lo : Integer.parseInt(p.substring(dash + 1));
        if (lo < 0 || hi < lo || hi > 8191) throw new NumberFormatException();
        set.set(lo, hi + 1);
      }
    } catch (NumberFormatException e) {
      throw notValidated(where + ": invalid list \"" + list + "\"");
    }
    return set;
  }
}
