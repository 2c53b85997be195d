package io.jrunc.core.spawn;

import io.jrunc.core.sys.Sys;
import java.lang.foreign.MemorySegment;

/**
 * One system call of a {@link ChildProgram}, as the parent planned it. Passing a {@code Step}
 * as an argument of a later step means "the result of this step" (an fd from {@code openat2}
 * feeding {@code move_mount}, say); the child loads it at run time.
 */
public final class Step {
  final int index;
  final long nr;
  final long[] args = new long[6];
  int indirectMask;
  int okErrnoA;
  int okErrnoB;
  long minResult;
  Label jumpIfPositive;
  MemorySegment storeResult32;
  /** Address of the C string {@link #sayOnFailure} gave (0: none). */
  long sayAddress;
  /**
   * Set by {@link #describe}; until then the call's name. With a detail, the sentence is
   * {@code description + detail + suffix}, joined only when asked for (a step's error): a cold
   * JVM runs each string concatenation interpreted, ~3-9 microseconds, and a create's program
   * describes a few hundred steps, almost none of which fail.
   */
  String description;
  private Object detail;
  private String suffix;
  final ProgramBuilder owner;
  private final Sys sys;

  Step(ProgramBuilder owner, int index, long nr, Sys sys) {
    this.owner = owner;
    this.index = index;
    this.nr = nr;
    this.sys = sys;
  }

  /**
   * What the step does, as the error sentence will start: {@code mount proc on /proc}. The
   * parent appends {@code : <strerror> (<ENAME>)} when the step fails.
   */
  public Step describe(String what) {
    this.description = what;
    this.detail = null;
    this.suffix = null;
    return this;
  }

  /** {@link #describe(String)} of {@code prefix + detail}, joined when the sentence is needed. */
  public Step describe(String prefix, Object detail) {
    return describe(prefix, detail, "");
  }

  /** {@link #describe(String)} of {@code prefix + detail + suffix}, joined when the sentence is needed. */
  public Step describe(String prefix, Object detail, String suffix) {
    this.description = prefix;
    this.detail = detail;
    this.suffix = suffix;
    return this;
  }

  /** Treats {@code -errno} results as success (at most two, e.g. EEXIST on mkdirat). */
  public Step allow(int... errnos) {
    if (errnos.length > 2) throw new IllegalArgumentException("at most two acceptable errnos per step");
    if (errnos.length > 0) okErrnoA = errnos[0];
    if (errnos.length > 1) okErrnoB = errnos[1];
    return this;
  }

  /**
   * A non-negative result below {@code min} also fails the step (a {@code read} on the sync
   * pipe that returns 0 means the parent went away, not that it said go).
   */
  public Step atLeast(long min) {
    this.minResult = min;
    return this;
  }

  /** After a successful step with a result above zero, continue at {@code target} (the parent side of a fork). */
  public Step jumpIfPositive(Label target) {
    this.jumpIfPositive = target;
    return this;
  }

  /** Also stores the low 32 bits of the result at {@code where} (an fd into a cmsg buffer). */
  public Step storeResultAt(MemorySegment where) {
    owner.checkInRegion(where);
    this.storeResult32 = where;
    return this;
  }

  /**
   * When this step fails in the stub, the child also writes {@code prefix}, the errno's text and
   * a newline to its fd 2 (the process's stderr by then), in one write, before its report: for
   * the execve after start, which a CLI create leaves with no one reading the report (runc's
   * init prints {@code exec /bin/x: exec format error} there too). The stub says at most
   * {@link X86_64Code#SAY_MAX} bytes of the prefix; the trampoline's child ignores it.
   */
  public Step sayOnFailure(String prefix) {
    sayAddress = owner.stringAddress(prefix);
    return this;
  }

  /** The address the child writes this step's 64-bit result to (a {@code write} buffer, say). */
  public MemorySegment resultSlot() {
    return owner.resultSlot(this);
  }

  /**
   * The 16 bytes {index, result} of this step, as a failed step reports them: a later
   * {@code write(report, slot, 16)} step announces this step's result to the parent (the pid
   * a fork returned, say).
   */
  public MemorySegment reportSlot() {
    return owner.reportSlot(this);
  }

  public int index() {
    return index;
  }

  public String description() {
    if (description == null) return sys.name().toLowerCase();
    return suffix == null ? description : description + detail + suffix;
  }
}
