package io.jrunc.core.sys;

import java.util.function.LongFunction;
import java.util.function.ToLongFunction;

/**
 * Method references whose only purpose is to be linked during an AOT training run, so that the
 * cache holds the three LambdaForms that every cold JVM's first use of the FFM API would
 * otherwise generate.
 *
 * <p>Why: the first use of almost anything in {@code java.lang.foreign} (an arena's allocation,
 * a layout, a symbol lookup) initialises {@code jdk.internal.foreign.Utils}, whose static
 * initialiser looks up three static methods as method handles: {@code SharedUtils.unboxSegment}
 * ({@code (MemorySegment)long}) and two {@code Utils.longToAddress}
 * ({@code (long)MemorySegment}, {@code (long, AddressLayout)MemorySegment}). A direct method
 * handle runs through a LambdaForm of its erased shape, looked up first in the JDK's
 * pre-generated holder classes; these shapes are not there (JDK 25: {@code invokeStatic LL_J},
 * {@code invokeStaticInit LL_J}, {@code invokeStaticInit LJ_L} fail, as
 * {@code -Djava.lang.invoke.MethodHandle.TRACE_RESOLVE=true} shows), so each is generated with
 * the class-file API and defined as a hidden class: ~3 ms interpreted, on the link thread of a
 * cold {@code create}, {@code run} or {@code exec}, whose clone waits for it.
 *
 * <p>An AOT cache keeps the method handles of the call sites its training resolved, with their
 * LambdaForms, in the cached form of their erased method type, where a later lookup of the same
 * shape finds them. So each shape is linked here once on a class already initialised
 * ({@code invokeStatic}) and once on one that is not ({@code invokeStaticInit}: {@link
 * Uninitialised} is never initialised, nothing calls these). Measured: {@code Utils}'s
 * initialisation in an AOT-cached JVM 3.4 ms without these, 0.43 ms with them (a probe
 * allocating 8 bytes, five runs each). The training runs {@link #plant} (through
 * {@code NativeAccess.seedAotCache}); at run time nothing here runs.
 */
public final class LambdaFormSeeds {
  private LambdaFormSeeds() {}

  /** {@code (long, Object)Object}: no such interface in {@code java.util.function}. */
  @FunctionalInterface
  private interface LongObjectFunction {
    Object apply(long a, Object b);
  }

  // the targets: each reference's erased type is exactly its interface method's, so javac
  // links the static method itself (no bridge method in this class)
  private static long toLong(Object o) {
    return 0;
  }

  private static Object fromLong(long a) {
    return null;
  }

  private static Object fromLongAnd(long a, Object b) {
    return null;
  }

  /** The same targets on a class that stays uninitialised: the forms with the init barrier. */
  private static final class Uninitialised {
    private Uninitialised() {}

    static long toLong(Object o) {
      return 0;
    }

    static Object fromLong(long a) {
      return null;
    }

    static Object fromLongAnd(long a, Object b) {
      return null;
    }
  }

  /**
   * Links each seed (in a training run; calls none of them). Returns the six references, so
   * that no linking is optimised away.
   */
  public static Object[] plant() {
    ToLongFunction<Object> a = LambdaFormSeeds::toLong;
    LongFunction<Object> b = LambdaFormSeeds::fromLong;
    LongObjectFunction c = LambdaFormSeeds::fromLongAnd;
    ToLongFunction<Object> d = Uninitialised::toLong;
    LongFunction<Object> e = Uninitialised::fromLong;
    LongObjectFunction f = Uninitialised::fromLongAnd;
    return new Object[] {a, b, c, d, e, f};
  }
}
