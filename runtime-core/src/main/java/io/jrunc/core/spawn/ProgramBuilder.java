package io.jrunc.core.spawn;

import static java.lang.foreign.ValueLayout.ADDRESS;

import io.jrunc.core.sys.Arch;
import io.jrunc.core.sys.Mappings;
import io.jrunc.core.sys.NativeCopy;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.sys.Struct;
import io.jrunc.core.sys.SysException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import io.jrunc.core.sys.Memory;

/**
 * Plans the child's program: the flat list of system calls the child runs between
 * {@code clone} and {@code execve}. Everything the child needs (strings, argv arrays, structs,
 * result slots) is allocated here, in ONE region reserved at an address far from both the
 * JVM's usual mappings and the stub's ({@link StubImage#ORIGIN}, its stack near the top): the
 * stub maps a copy of the region at that same address, so the pointers in it stay valid.
 * Memory that does not come from this builder cannot reach the child, and {@link #call}
 * refuses it.
 *
 * <p>Arguments to {@link #call} may be: {@code Long}/{@code Integer} (a value),
 * {@code String} (a NUL-terminated copy; its address is passed), {@code byte[]} (a copy),
 * {@link MemorySegment} (its address), or a {@link Step} (the result of that earlier step,
 * loaded by the child at run time).
 */
public final class ProgramBuilder implements AutoCloseable {
  /** Virtual size of a region; pages cost only when touched. */
  static final long RESERVE = 64L << 20;
  private static final long HINT_BASE = 0x1000_0000_0000L;
  private static final AtomicLong NEXT_HINT = new AtomicLong();
  /**
   * Regions of closed builders, zeroed again, for the next ones: a fresh region's pages are
   * faulted in one by one as the program is written (~20 for a plain container, ~11 us each on a
   * host where a page fault exits to the hypervisor) and its munmap shoots the TLB down on every
   * core. The stub maps a sealed copy ({@link Spawner}), and the clone's CLONE_VM child, which
   * writes the leave-the-JVM program's result slots here, has exec'd the stub before the clone
   * returns (CLONE_VFORK): a region is reused as soon as its builder is closed. At most {@link #KEEP}: a create uses two at once
   * (init's program and the clone's leave-the-JVM one), so two creates at once on a 2-core host.
   * Last kept, first reused: its pages are the warmest.
   */
  private static final ConcurrentLinkedDeque<MemorySegment> KEPT = new ConcurrentLinkedDeque<>();
  private static final int KEEP = 4;
  /** KEPT's size, counted apart: a deque's size() walks it, and the bound must hold under races. */
  private static final AtomicInteger KEPT_COUNT = new AtomicInteger();

  private final Arch arch;
  private final MemorySegment region;
  private long top = ChildProgram.HEADER;
  private boolean released;
  /** Sized for an init program (~450-520 steps), not grown from ten in ~14 copies each create. */
  final List<Step> steps = new ArrayList<>(512);
  private final List<Label> labels = new ArrayList<>();
  private MemorySegment encoded;

  public ProgramBuilder() {
    this(Arch.current());
  }

  public ProgramBuilder(Arch arch) {
    this.arch = arch;
    MemorySegment kept = KEPT.pollFirst();
    if (kept != null) {
      KEPT_COUNT.decrementAndGet();
      this.region = kept;
    } else {
      long hint = HINT_BASE + (NEXT_HINT.getAndIncrement() & 1023) * RESERVE;
      try {
        this.region = Mappings.reserve(hint, RESERVE);
      } catch (SysException e) {
        throw new IllegalStateException("cannot reserve memory for a child program: " + e.getMessage(), e);
      }
    }
    Memory.setLong(region, ChildProgram.OFF_HDR_ALL_SIGNALS, -1L);
  }

  /** Bump allocation in the region (zeroed: fresh anonymous memory). */
  private MemorySegment allocate(long size, long align) {
    if (built) throw new IllegalStateException("program already built");
    flushStaged(); // what follows may be written in place: what is staged before it lands first
    long at = (top + align - 1) & -align;
    if (at + size > RESERVE) throw new IllegalStateException("child program larger than " + (RESERVE >> 20) + " MiB");
    top = at + size;
    return region.asSlice(at, size);
  }

  public Arch arch() {
    return arch;
  }

  /** Adds one system call. */
  public Step call(Sys sys, Object... args) {
    if (args.length > 6) throw new IllegalArgumentException(sys + ": at most six arguments");
    if (built) throw new IllegalStateException("program already built");
    Step s = new Step(this, steps.size(), arch.nr(sys), sys);
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      // instanceof, not a pattern switch: its typeSwitch bootstrap spins a class at run time
      // (not kept by the AOT cache), on every cold create
      if (a == null) {
        s.args[i] = 0;
      } else if (a instanceof Long l) {
        s.args[i] = l;
      } else if (a instanceof Integer n) {
        s.args[i] = n;
      } else if (a instanceof String str) {
        s.args[i] = stringAddress(str);
      } else if (a instanceof byte[] b) {
        s.args[i] = bytes(b).address();
      } else if (a instanceof MemorySegment m) {
        s.args[i] = inRegion(m, sys);
      } else if (a instanceof Step earlier) {
        if (earlier.owner != this) throw new IllegalArgumentException("step from another program");
        s.indirectMask |= 1 << i;
        s.args[i] = -1 - earlier.index; // resolved to the result slot's address at build time
      } else {
        throw new IllegalArgumentException("unsupported argument type " + a.getClass());
      }
    }
    steps.add(s);
    return s;
  }

  /**
   * Names a descriptor of the runtime that the program uses (a pipe end, a namespace or mount fd
   * the parent opened, the exec fifo): the child keeps exactly the named descriptors and
   * stdio; every other one is closed before the program runs. Returns {@code fd} for use as an
   * argument.
   */
  public long inherit(int fd) {
    if (fd < 0) throw new IllegalArgumentException("not a descriptor: " + fd);
    inherited.add(fd);
    return fd;
  }

  /** Names {@code count} descriptors from {@code first} on ({@code --preserve-fds}). */
  public void inheritRange(int first, int count) {
    for (int i = 0; i < count; i++) inherit(first + i);
  }

  /** The descriptors named so far, in ascending order. */
  public java.util.SortedSet<Integer> inherited() {
    return java.util.Collections.unmodifiableSortedSet(inherited);
  }

  private final java.util.TreeSet<Integer> inherited = new java.util.TreeSet<>();

  private long inRegion(MemorySegment m, Sys sys) {
    long a = m.address();
    if (a < region.address() || a + m.byteSize() > region.address() + RESERVE) {
      throw new IllegalArgumentException(sys + ": memory outside the program's region would not reach the child");
    }
    return a;
  }

  void checkInRegion(MemorySegment m) {
    inRegion(m, Sys.WRITE);
  }

  /** A new, not yet placed label. */
  public Label label() {
    Label l = new Label();
    labels.add(l);
    return l;
  }

  /** Binds {@code l} to the next step added. */
  public void place(Label l) {
    l.stepIndex = steps.size();
  }

  /**
   * The strings and {@link #stagedLongs staged structs} placed since the last in-place
   * allocation, not yet copied into the region: {@code stage[0..top - stageAt)} mirrors the
   * region from offset {@code stageAt} ({@code -1}: none pending), alignment gaps included (as
   * zeros). A create's program has ~350 string arguments (paths, names) and ~70 small structs;
   * copied one by one, each a slice and a copy through FFM's checks (~3-5 us
   * interpreted, a small copy runs a Java loop), they took ~2 ms of a CLI create's ~6 ms compile.
   * Now copied in runs: before anything else is allocated (it may be written in place), before
   * the region is read, and at build.
   */
  private byte[] stage = new byte[4096];
  private long stageAt = -1;

  /** The address of a NUL-terminated copy of {@code s} in the program's memory (copied by {@link #flushStaged}). */
  long stringAddress(String s) {
    if (built) throw new IllegalStateException("program already built");
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    long at = top;
    if (at + utf8.length + 1 > RESERVE) throw new IllegalStateException("child program larger than " + (RESERVE >> 20) + " MiB");
    if (stageAt < 0) stageAt = at;
    int off = (int) (at - stageAt);
    if (off + utf8.length + 1 > stage.length) stage = Arrays.copyOf(stage, Math.max(stage.length * 2, off + utf8.length + 1));
    System.arraycopy(utf8, 0, stage, off, utf8.length);
    stage[off + utf8.length] = 0;
    top = at + utf8.length + 1;
    return region.address() + at;
  }

  /**
   * A struct whose fields from byte {@code offset} on are the consecutive u64 {@code values}
   * (the rest of its {@code size} bytes zero, 8-aligned), staged as the strings are: no copy of
   * its own into the program's memory. Returns its address, to pass as an argument. For the
   * small structs the child only reads ({@code open_how} and {@code mount_attr}, ~60 a program;
   * sigactions, signal masks, rlimits, capset's): each used to be an allocation that first
   * flushed the staged strings, then a copy of its own.
   */
  public long stagedLongs(long size, long offset, long... values) {
    if ((offset & 7) != 0 || offset < 0 || offset + 8L * values.length > size) {
      throw new IllegalArgumentException("u64 fields past the struct's " + size + " bytes");
    }
    int at = stage(size);
    for (int i = 0; i < values.length; i++) putLong(stage, at + (int) offset + 8 * i, values[i]);
    return address(at);
  }

  /** As {@link #stagedLongs}, for a struct of consecutive u32 fields ({@code capset}'s, say). */
  public long stagedInts(long size, long offset, int... values) {
    if ((offset & 3) != 0 || offset < 0 || offset + 4L * values.length > size) {
      throw new IllegalArgumentException("u32 fields past the struct's " + size + " bytes");
    }
    int at = stage(size);
    for (int i = 0; i < values.length; i++) putInt(stage, at + (int) offset + 4 * i, values[i]);
    return address(at);
  }

  /**
   * {@code size} zeroed bytes at the next 8-aligned offset, staged: their index in {@link #stage}
   * (the region's address is {@link #address} of it).
   */
  private int stage(long size) {
    if (built) throw new IllegalStateException("program already built");
    long at = (top + 7) & -8L;
    if (at + size > RESERVE) throw new IllegalStateException("child program larger than " + (RESERVE >> 20) + " MiB");
    if (stageAt < 0) stageAt = at; // the gap before it stays in the region, zero already
    int from = (int) Math.max(0, top - stageAt);
    int off = (int) (at - stageAt);
    int end = (int) (off + size);
    if (end > stage.length) stage = Arrays.copyOf(stage, Math.max(stage.length * 2, end));
    Arrays.fill(stage, from, end, (byte) 0); // the gap and the struct (the array is reused)
    top = at + size;
    return off;
  }

  /** The address in the program's memory of {@link #stage}'s index {@code i}. */
  private long address(int i) {
    return region.address() + stageAt + i;
  }

  /** {@code v} at {@code b[i..i+4)} in the host's byte order. */
  private static void putInt(byte[] b, int i, int v) {
    for (int k = 0; k < 4; k++) b[i + k] = (byte) (v >>> (LITTLE_ENDIAN ? 8 * k : 24 - 8 * k));
  }

  /** {@code v} at {@code b[i..i+8)} in the host's byte order (shifts: no VarHandle, cheap interpreted). */
  private static void putLong(byte[] b, int i, long v) {
    for (int k = 0; k < 8; k++) b[i + k] = (byte) (v >>> (LITTLE_ENDIAN ? 8 * k : 56 - 8 * k));
  }

  private static final boolean LITTLE_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;

  /** Copies the staged strings and structs into the region, in one run. */
  private void flushStaged() {
    if (stageAt < 0) return;
    NativeCopy.fromBytes(stage, 0, region, stageAt, (int) (top - stageAt));
    stageAt = -1;
  }

  /** A NUL-terminated copy of {@code s} in the program's memory. */
  public MemorySegment cstring(String s) {
    long a = stringAddress(s);
    flushStaged();
    return region.asSlice(a - region.address(), top - (a - region.address()));
  }

  public MemorySegment bytes(byte[] b) {
    MemorySegment m = allocate(Math.max(1, b.length), 8);
    NativeCopy.fromBytes(b, 0, m, 0, b.length);
    return m;
  }

  /** Zeroed memory for structs and scratch buffers. */
  public MemorySegment alloc(long size) {
    return allocate(Math.max(1, size), 8);
  }

  /** Zeroed memory for one {@code struct} of {@code io.jrunc.core.sys}, at least 8-aligned. */
  public MemorySegment alloc(Struct struct) {
    return allocate(Math.max(1, struct.byteSize()), Math.max(8, struct.byteAlignment()));
  }

  /** A NULL-terminated {@code char *[]} (argv, envp). */
  public MemorySegment stringArray(List<String> values) {
    MemorySegment arr = allocate(ADDRESS.byteSize() * (values.size() + 1L), ADDRESS.byteAlignment());
    // The pointers written as longs (the only supported arch, x86-64, has 8-byte pointers),
    // in one copy (no VarHandle, no copy per pointer), now: arr lies before the strings staged
    // after it. The last stays 0 (NULL).
    long[] p = new long[values.size() + 1];
    for (int i = 0; i < values.size(); i++) p[i] = stringAddress(values.get(i));
    NativeCopy.fromLongs(p, 0, arr, 0, p.length);
    return arr;
  }

  MemorySegment reportSlot(Step s) {
    ensureEncoded(false);
    return encoded.asSlice((long) s.index * ChildProgram.STEP + ChildProgram.OFF_INDEX, 16);
  }

  MemorySegment resultSlot(Step s) {
    ensureEncoded(false);
    return encoded.asSlice((long) s.index * ChildProgram.STEP + ChildProgram.OFF_RESULT, 8);
  }

  /**
   * Lays out the program. Result slots exist from the first call to {@link Step#resultSlot()}
   * on, so the memory for all steps is reserved then; steps cannot be added after build.
   */
  public ChildProgram build() {
    ensureEncoded(true);
    for (Label l : labels) {
      if (l.stepIndex < 0 || l.stepIndex >= steps.size()) throw new IllegalStateException("label not placed");
    }
    // Encoded into a long[] and copied in one bulk copy: a MemorySegment.set per field (16 per
    // step, hundreds of steps) runs cold through VarHandle adapters and cost 3-8 ms per create.
    long[] w = encodeSteps(steps, encoded.address(), indexBase);
    NativeCopy.fromLongs(w, 0, encoded, 0, w.length);
    flushStaged();
    built = true;
    long length = (top + 4095) & ~4095L;
    Memory.setLong(region, ChildProgram.OFF_HDR_FIRST, encoded.address());
    Memory.setLong(region, ChildProgram.OFF_HDR_COUNT, steps.size());
    Memory.setLong(region, ChildProgram.OFF_HDR_BASE, region.address());
    Memory.setLong(region, ChildProgram.OFF_HDR_LENGTH, length);
    Memory.setLong(region, ChildProgram.OFF_HDR_MAGIC, ChildProgram.MAGIC);
    return new ChildProgram(this::close, region, steps, inherited);
  }

  /**
   * The steps as the child reads them, {@code first} the address of step 0. A method of its own,
   * apart from {@link #build}'s bulk copies into the program's memory: this loop is what gets hot
   * (hundreds of steps per create), and C2 compiled it with everything build inlines around it
   * (~350 ms of a warm JVM's first few hundred creates, on the compiler thread the containers
   * share the host's cores with).
   */
  private static long[] encodeSteps(List<Step> steps, long first, long indexBase) {
    int words = (int) (ChildProgram.STEP / 8);
    long[] w = new long[steps.size() * words];
    for (Step s : steps) {
      int base = s.index * words;
      w[base + (int) (ChildProgram.OFF_NR / 8)] = s.nr;
      for (int i = 0; i < 6; i++) {
        long v = s.args[i];
        if ((s.indirectMask & (1 << i)) != 0) {
          int target = (int) (-1 - v);
          v = first + (long) target * ChildProgram.STEP + ChildProgram.OFF_RESULT;
        }
        w[base + (int) (ChildProgram.OFF_ARGS / 8) + i] = v;
      }
      w[base + (int) (ChildProgram.OFF_INDEX / 8)] = indexBase + s.index;
      w[base + (int) (ChildProgram.OFF_RESULT / 8)] = 0;
      w[base + (int) (ChildProgram.OFF_INDIRECT / 8)] = s.indirectMask;
      w[base + (int) (ChildProgram.OFF_OK_A / 8)] = s.okErrnoA;
      w[base + (int) (ChildProgram.OFF_OK_B / 8)] = s.okErrnoB;
      w[base + (int) (ChildProgram.OFF_JUMP / 8)] = s.jumpIfPositive == null ? 0
          : first + (long) s.jumpIfPositive.stepIndex * ChildProgram.STEP;
      w[base + (int) (ChildProgram.OFF_MIN / 8)] = s.minResult;
      w[base + (int) (ChildProgram.OFF_STORE32 / 8)] = s.storeResult32 == null ? 0 : s.storeResult32.address();
      w[base + (int) (ChildProgram.OFF_SAY / 8)] = s.sayAddress;
    }
    return w;
  }

  private void ensureEncoded(boolean finalSize) {
    if (encoded == null) {
      // Reserve generously on early access to result slots: steps added later still fit.
      long count = finalSize ? Math.max(1, steps.size()) : Math.max(steps.size() * 2L, 2048);
      encoded = allocate(count * ChildProgram.STEP, 64);
      capacity = count;
    } else if (steps.size() > capacity) {
      throw new IllegalStateException("program grew past its reserved size after a result slot was taken");
    }
  }

  /**
   * One planned system call, read-only, for tests that check a program by syscall and argument:
   * {@code args[i]} is the value passed, or for an argument that is an earlier step's result
   * ({@link #fromStep}), that step's index.
   */
  public record PlannedCall(int index, long nr, long[] args, int fromStepMask, String description) {
    /** Whether argument {@code i} is the result of an earlier step (its index is in {@code args[i]}). */
    public boolean fromStep(int i) {
      return (fromStepMask & (1 << i)) != 0;
    }
  }

  /** The calls planned so far, in order (a copy). */
  public List<PlannedCall> calls() {
    List<PlannedCall> out = new ArrayList<>(steps.size());
    for (Step s : steps) {
      long[] a = s.args.clone();
      for (int i = 0; i < 6; i++) if ((s.indirectMask & (1 << i)) != 0) a[i] = -1 - a[i];
      out.add(new PlannedCall(s.index, s.nr, a, s.indirectMask, s.description()));
    }
    return out;
  }

  /** {@code length} bytes at {@code address} in this program's region (an argument's buffer, say). */
  public MemorySegment at(long address, long length) {
    flushStaged();
    if (address < region.address() || address + length > region.address() + RESERVE) {
      throw new IllegalArgumentException("address outside the program's region");
    }
    return region.asSlice(address - region.address(), length);
  }

  /** The NUL-terminated string at {@code address} in this program's region. */
  public String stringAt(long address) {
    return Memory.cString(at(address, region.address() + RESERVE - address), 0);
  }

  private long capacity;
  private boolean built;
  /** Added to the step index the child reports, so two programs of one spawn stay apart. */
  long indexBase;

  /**
   * Releases the region (the built program's too: closing either releases it once): zeroed
   * where it was written and kept for the next builder, or unmapped when enough are kept.
   */
  @Override
  public synchronized void close() {
    if (!released) {
      released = true;
      if (KEPT_COUNT.incrementAndGet() <= KEEP) {
        region.asSlice(0, top).fill((byte) 0); // allocate's slices are zeroed memory
        KEPT.addFirst(region);
      } else {
        KEPT_COUNT.decrementAndGet();
        Mappings.release(region);
      }
    }
  }
}
