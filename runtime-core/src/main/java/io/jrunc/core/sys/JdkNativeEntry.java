package io.jrunc.core.sys;

import static jdk.internal.foreign.abi.x64.X86_64Architecture.Regs.*;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import jdk.internal.access.SharedSecrets;
import jdk.internal.foreign.abi.ABIDescriptor;
import jdk.internal.foreign.abi.NativeEntryPoint;
import jdk.internal.foreign.abi.StubLocations;
import jdk.internal.foreign.abi.VMStorage;
import jdk.internal.foreign.abi.x64.X86_64Architecture;

/**
 * The JDK's own downcall entry point for the one downcall shape
 * ({@link Native.Public#SEVEN_LONGS}), made without the public {@link java.lang.foreign.Linker}:
 * a method handle
 * {@code long (long address, long a0, ..., long a6)} that moves the seven arguments into the C
 * calling convention's registers and calls {@code address}. The only class of jrunc that uses
 * JDK internals, and only where they are known and exported to it; everywhere else it is
 * {@link #HANDLE null} and {@link Downcall} links through the public Linker as before.
 *
 * <p>Why: a cold JVM's first public downcall link costs ~15 ms of its start-up (measured alone
 * with an AOT cache: 14.5-15.3 ms from the lookup to the first call's return, against 4.8-5.3
 * ms this way). The public Linker computes the calling sequence through pattern switches
 * whose classes are spun at run time, generates a specialised class with the ClassFile API
 * (for bindings that, for seven longs, only move registers) and binds the address into each
 * handle; none of it can be kept by the JDK 25 AOT cache. Both end in the same
 * {@code NativeEntryPoint}: the JVM's downcall stub for the same argument moves (the JDK keys
 * its stub cache by them), with the same thread-state transition, so the native call is the
 * same one; only the Java layers in front of it are left out, and for seven longs and a long
 * result they do nothing but move values.
 *
 * <p>When: JDK 25 (the internals are those of 25; another release uses the public Linker
 * until this is checked against it), x86-64 (System V), and {@code jdk.internal.foreign.abi},
 * {@code jdk.internal.foreign.abi.x64} and {@code jdk.internal.access} exported to this module
 * ({@code bin/jrunc} passes {@code --add-exports}; an embedder who does not gets the public
 * Linker, with no warning). A failure to make it (an internal that moved) also falls back.
 * {@code JdkNativeEntryTest} holds the argument moves and the ABI description below to those
 * the JDK's own linker computes for this shape, so a JDK whose System V rules differ fails
 * the build instead of calling with the wrong registers.
 */
final class JdkNativeEntry {
  private JdkNativeEntry() {}

  /** The JDK release whose internals {@link Make} is written against. */
  static final String JDK = "25";

  /** The handle's type: the address, then the seven arguments of {@link Native.Public#SEVEN_LONGS}. */
  static final MethodType TYPE = MethodType.methodType(long.class,
      long.class, long.class, long.class, long.class, long.class, long.class, long.class, long.class);

  /** {@code long (long address, long a0, ..., long a6)}, or null: use the public Linker. */
  static final MethodHandle HANDLE = make();

  private static MethodHandle make() {
    if (!usable()) return null;
    try {
      return Make.handle();
    } catch (LinkageError | RuntimeException e) {
      // an internal that is not there or not as expected: the public Linker does the same call
      return null;
    }
  }

  /** The release, the architecture and the exports this needs; false means the public Linker. */
  static boolean usable() {
    if (!JDK.equals(System.getProperty("java.specification.version"))) return false;
    String arch = System.getProperty("os.arch", "");
    if (!arch.equals("amd64") && !arch.equals("x86_64")) return false;
    if (!System.getProperty("os.name", "").equals("Linux")) return false;
    Module base = Object.class.getModule();
    Module self = JdkNativeEntry.class.getModule();
    return base.isExported("jdk.internal.foreign.abi", self)
        && base.isExported("jdk.internal.foreign.abi.x64", self)
        && base.isExported("jdk.internal.access", self);
  }

  /**
   * The internals, in a class of their own: {@link JdkNativeEntry} itself loads and verifies in
   * any JVM, and this one is only initialised after {@link #usable()} said yes.
   */
  static final class Make {
    private Make() {}

    /**
     * The System V x86-64 C ABI as the JDK 25 linker describes it
     * ({@code jdk.internal.foreign.abi.x64.sysv.CallArranger}): integer arguments in rdi, rsi,
     * rdx, rcx, r8, r9 (rax carries the vector count of variadic calls, which the seven-long
     * shape is not), results in rax and rdx, r10 and r11 as scratch, a 16-byte aligned stack
     * without shadow space.
     */
    static ABIDescriptor sysV() {
      // the descriptor X86_64Architecture.abiFor makes, made here: abiFor builds its x87 outputs
      // with an IntStream, and so put ~25 stream classes in create's and run's AOT caches (which
      // every such call loads at start-up) for two array elements
      return new ABIDescriptor(
          X86_64Architecture.INSTANCE,
          new VMStorage[][] {
              {rdi, rsi, rdx, rcx, r8, r9, rax},
              {xmm0, xmm1, xmm2, xmm3, xmm4, xmm5, xmm6, xmm7}},
          new VMStorage[][] {
              {rax, rdx},
              {xmm0, xmm1},
              {X86_64Architecture.x87Storage(0), X86_64Architecture.x87Storage(1)}},
          new VMStorage[][] {
              {r10, r11},
              {xmm8, xmm9, xmm10, xmm11, xmm12, xmm13, xmm14, xmm15,
                  xmm16, xmm17, xmm18, xmm19, xmm20, xmm21, xmm22, xmm23,
                  xmm24, xmm25, xmm26, xmm27, xmm28, xmm29, xmm30, xmm31}},
          16,
          0,
          r10, r11,
          StubLocations.TARGET_ADDRESS.storage(X86_64Architecture.StorageType.PLACEHOLDER),
          StubLocations.RETURN_BUFFER.storage(X86_64Architecture.StorageType.PLACEHOLDER),
          StubLocations.CAPTURED_STATE_BUFFER.storage(X86_64Architecture.StorageType.PLACEHOLDER));
    }

    /**
     * Where each Java argument goes: the target address where the ABI keeps it for the stub,
     * the first six in the integer argument registers, the seventh in the first stack slot.
     */
    static VMStorage[] argumentMoves(ABIDescriptor abi) {
      return new VMStorage[] {
          abi.targetAddrStorage(), rdi, rsi, rdx, rcx, r8, r9,
          X86_64Architecture.stackStorage((short) 8, 0)};
    }

    /** The result: rax. */
    static VMStorage[] returnMoves() {
      return new VMStorage[] {rax};
    }

    static MethodHandle handle() {
      ABIDescriptor abi = sysV();
      NativeEntryPoint nep = NativeEntryPoint.make(
          abi, argumentMoves(abi), returnMoves(), TYPE,
          false, // no return buffer: one register
          0, // no call state captured (the stub returns -errno itself)
          true, // the usual transition to native and back, as the public Linker's
          false); // no heap segments: addresses are longs
      return SharedSecrets.getJavaLangInvokeAccess().nativeMethodHandle(nep);
    }
  }
}
