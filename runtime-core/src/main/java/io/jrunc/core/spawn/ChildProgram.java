package io.jrunc.core.spawn;


import java.lang.foreign.MemorySegment;
import java.util.List;
import io.jrunc.core.sys.Memory;

/**
 * A compiled child program: what the stub (or, for the few steps that leave the JVM, the
 * trampoline's child) interprets between {@code clone} and {@code execve}. The program and
 * everything it points to (strings, argv arrays, structs, result slots) live in ONE region laid
 * out for a fixed address: the stub maps a sealed copy of the region privately at that same
 * address, so every pointer in it stays valid outside the JVM. All fields are 64-bit, native
 * byte order.
 *
 * <table>
 *   <caption>Header (64 bytes, at the start of the region)</caption>
 *   <tr><th>offset</th><th>field</th></tr>
 *   <tr><td>0</td><td>report fd: where a failed step writes {index, result}</td></tr>
 *   <tr><td>8</td><td>number of steps</td></tr>
 *   <tr><td>16</td><td>address of the first step</td></tr>
 *   <tr><td>24</td><td>address the region is laid out for (the header's own)</td></tr>
 *   <tr><td>32</td><td>length of the region image, a multiple of the page size</td></tr>
 *   <tr><td>40</td><td>{@link #MAGIC}: the stub refuses anything else</td></tr>
 *   <tr><td>48</td><td>a full signal mask (the trampoline blocks it around clone)</td></tr>
 *   <tr><td>56</td><td>the caller's signal mask, saved there by the trampoline</td></tr>
 * </table>
 *
 * <table>
 *   <caption>Step (128 bytes each)</caption>
 *   <tr><th>offset</th><th>field</th></tr>
 *   <tr><td>0</td><td>syscall number</td></tr>
 *   <tr><td>8..48</td><td>arguments a0..a5 (for an indirect argument: the address to load it from)</td></tr>
 *   <tr><td>56</td><td>step index (written to the report fd with the next field)</td></tr>
 *   <tr><td>64</td><td>result, written by the child</td></tr>
 *   <tr><td>72</td><td>indirect mask: bit i set = load argument i from the address given</td></tr>
 *   <tr><td>80, 88</td><td>two errnos treated as success (0 = none)</td></tr>
 *   <tr><td>96</td><td>address of the step to continue at when the result is positive (0 = none)</td></tr>
 *   <tr><td>104</td><td>minimum acceptable non-error result (signed)</td></tr>
 *   <tr><td>112</td><td>address to store the result's low 32 bits at (0 = none)</td></tr>
 *   <tr><td>120</td><td>address of a C string to say on failure (0 = none): the stub writes it,
 *       the errno's text and a newline to fd 2 before the report ({@link Step#sayOnFailure})</td></tr>
 * </table>
 *
 * <p>The child runs steps in order; a result in [-4095, -1] not listed as acceptable, or a
 * result below the minimum, makes it write the 16 bytes at offset 56 (index, result) to the
 * report fd (after its say, if it has one) and {@code exit_group(1)}. Success is {@code execve} (the report fd is CLOEXEC,
 * so the parent reads EOF) or an explicit step that writes to the report fd.
 */
public final class ChildProgram implements AutoCloseable {
  static final long HEADER = 64;
  static final long STEP = 128;
  /** "JRUNCPRG" read as a little-endian long. */
  static final long MAGIC = 0x475250434e55524aL;
  static final long OFF_HDR_REPORT_FD = 0, OFF_HDR_COUNT = 8, OFF_HDR_FIRST = 16, OFF_HDR_BASE = 24,
      OFF_HDR_LENGTH = 32, OFF_HDR_MAGIC = 40, OFF_HDR_ALL_SIGNALS = 48, OFF_HDR_SAVED_MASK = 56;
  static final long OFF_NR = 0, OFF_ARGS = 8, OFF_INDEX = 56, OFF_RESULT = 64, OFF_INDIRECT = 72,
      OFF_OK_A = 80, OFF_OK_B = 88, OFF_JUMP = 96, OFF_MIN = 104, OFF_STORE32 = 112, OFF_SAY = 120;

  private final Runnable release;
  private final MemorySegment memory;
  /** The steps, for their sentences: made only for the step that failed ({@link Step#description}). */
  private final List<Step> steps;
  private final java.util.SortedSet<Integer> inherited;

  ChildProgram(Runnable release, MemorySegment memory, List<Step> steps, java.util.SortedSet<Integer> inherited) {
    this.release = release;
    this.memory = memory;
    this.steps = List.copyOf(steps);
    this.inherited = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(inherited));
  }

  /** The runtime descriptors the program names ({@link ProgramBuilder#inherit}). */
  public java.util.SortedSet<Integer> inherited() {
    return inherited;
  }

  /** Bytes of the region the child needs: from the header to the last allocation, page-rounded. */
  long length() {
    return Memory.getLong(memory, OFF_HDR_LENGTH);
  }

  /** The fd the child reports a failed step on; set by the spawner before clone. */
  public void reportFd(int fd) {
    Memory.setLong(memory, OFF_HDR_REPORT_FD, fd);
  }

  /** The region, header first. */
  public MemorySegment memory() {
    return memory;
  }

  public int size() {
    return steps.size();
  }

  /** The sentence for step {@code index}: {@code mount proc on /proc}. */
  public String description(long index) {
    ChildProgram pre = leaveJvm;
    if (index >= SpawnChannel.LEAVE_JVM_BASE && pre != null) {
      long i = index - SpawnChannel.LEAVE_JVM_BASE;
      if (i < pre.size()) return pre.description(i);
    }
    return index >= 0 && index < steps.size() ? steps.get((int) index).description() : "step " + index;
  }

  /** Whether step {@code index} of this program says its failure on fd 2 ({@link Step#sayOnFailure}). */
  public boolean says(long index) {
    return index >= 0 && index < steps.size() && steps.get((int) index).sayAddress != 0;
  }

  private volatile ChildProgram leaveJvm;

  /** The sentences of the steps that took the child out of the JVM for this program: {@code pre}'s. */
  void leaveJvmDescriptions(ChildProgram pre) {
    leaveJvm = pre;
  }


  @Override
  public void close() {
    release.run();
  }
}
