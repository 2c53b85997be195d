package io.jrunc.core.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import jdk.internal.foreign.abi.ABIDescriptor;
import jdk.internal.foreign.abi.Binding;
import jdk.internal.foreign.abi.CallingSequence;
import jdk.internal.foreign.abi.VMStorage;
import jdk.internal.foreign.abi.x64.sysv.CallArranger;
import org.junit.jupiter.api.Test;

/**
 * The JDK's native entry that {@link JdkNativeEntry} makes by hand must be the one the JDK's
 * public Linker makes for {@link Native.Public#SEVEN_LONGS}: the same ABI description, the same
 * argument and result moves, the same call options. A JDK whose System V rules or internals
 * differ fails here, in the build, and not at a wrong register in a container's set-up. These
 * tests run with the exports bin/jrunc passes (runtime-core's surefire argLine) and read the
 * JDK's own description through an added opens.
 */
class JdkNativeEntryTest {
  private static final MethodType SHAPE = MethodType.methodType(long.class,
      long.class, long.class, long.class, long.class, long.class, long.class, long.class);

  private static CallingSequence jdkSequence() {
    return CallArranger.getBindings(SHAPE, Native.Public.SEVEN_LONGS, false).callingSequence();
  }

  @Test
  void theEntryIsUsedInAJvmThatExportsTheInternals() {
    // no silent fall-back: bin/jrunc's JVM is started like this one
    assertThat(JdkNativeEntry.usable()).isTrue();
    assertThat(JdkNativeEntry.HANDLE).isNotNull();
    assertThat(Downcall.viaJdkEntry()).isTrue();
    assertThat(JdkNativeEntry.HANDLE.type()).isEqualTo(JdkNativeEntry.TYPE);
  }

  @Test
  void argumentAndResultMovesAreTheJdkLinkersOwn() {
    CallingSequence cs = jdkSequence();
    ABIDescriptor abi = JdkNativeEntry.Make.sysV();
    List<VMStorage> jdkArgs = cs.argumentBindings()
        .filter(Binding.VMStore.class::isInstance).map(b -> ((Binding.VMStore) b).storage()).toList();
    List<VMStorage> jdkRets = cs.returnBindings().stream()
        .filter(Binding.VMLoad.class::isInstance).map(b -> ((Binding.VMLoad) b).storage()).toList();
    assertThat(Arrays.asList(JdkNativeEntry.Make.argumentMoves(abi))).isEqualTo(jdkArgs);
    assertThat(Arrays.asList(JdkNativeEntry.Make.returnMoves())).isEqualTo(jdkRets);
    assertThat(cs.calleeMethodType()).isEqualTo(JdkNativeEntry.TYPE);
    // the options the entry is made with
    assertThat(cs.needsReturnBuffer()).isFalse();
    assertThat(cs.capturedStateMask()).isZero();
    assertThat(cs.needsTransition()).isTrue();
    assertThat(cs.usingAddressPairs()).isFalse();
  }

  @Test
  void theAbiDescriptionIsTheJdkLinkersOwn() throws Exception {
    Field f = CallArranger.class.getDeclaredField("CSysV");
    f.setAccessible(true);
    ABIDescriptor jdk = (ABIDescriptor) f.get(null);
    ABIDescriptor ours = JdkNativeEntry.Make.sysV();
    int compared = 0;
    for (Field d : ABIDescriptor.class.getDeclaredFields()) {
      if (Modifier.isStatic(d.getModifiers())) continue;
      d.setAccessible(true);
      assertThat(Arrays.deepEquals(new Object[] {d.get(ours)}, new Object[] {d.get(jdk)}))
          .as("ABIDescriptor.%s", d.getName()).isTrue();
      compared++;
    }
    assertThat(compared).isGreaterThan(8);
  }

  @Test
  void aCallThroughTheEntryIsTheCallThroughThePublicLinker() throws Throwable {
    var syscall = Native.libcSymbol("syscall");
    MethodHandle viaLinker = Linker.nativeLinker().downcallHandle(syscall, Native.Public.SEVEN_LONGS);
    long getpid = Arch.current().nr(Sys.GETPID);
    long pid = ProcessHandle.current().pid();
    assertThat((long) viaLinker.invokeExact(getpid, 0L, 0L, 0L, 0L, 0L, 0L)).isEqualTo(pid);
    assertThat(Downcall.of(syscall).call(getpid, 0L, 0L, 0L, 0L, 0L, 0L)).isEqualTo(pid);
    // glibc's syscall() fails with -1 and errno; the stub (SyscallStubTest: every argument
    // position, the stack one too) returns -errno: here only that both reach the same code
    long close = Arch.current().nr(Sys.CLOSE);
    assertThat(Downcall.of(syscall).call(close, -1L, 0L, 0L, 0L, 0L, 0L)).isEqualTo(-1L);
  }
}
