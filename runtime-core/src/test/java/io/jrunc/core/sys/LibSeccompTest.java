package io.jrunc.core.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * libseccomp through the plain seven-long downcall shape: the values where a wrong width or
 * sign would show (a uint32 with its top bit set, negative pseudo syscall numbers, a 64-bit
 * datum, a pointer result) come back or reach the filter intact.
 */
class LibSeccompTest {
  private static final int AUDIT_ARCH_X86_64 = 0xC000003E, AUDIT_ARCH_I386 = 0x40000003;

  @BeforeAll
  static void library() {
    assumeTrue(LibSeccomp.available(), LibSeccomp.MISSING);
  }

  @Test
  void uint32ResultsAndArgumentsKeepTheirTopBit() {
    assertThat(LibSeccomp.archNative()).isEqualTo(AUDIT_ARCH_X86_64);
    assertThat(LibSeccomp.archResolveName("x86_64")).isEqualTo(AUDIT_ARCH_X86_64);
    assertThat(LibSeccomp.archResolveName("no-such-arch")).isZero();
    // the token as argument: getpid is 39 on x86-64 and 20 on i386
    assertThat(LibSeccomp.syscallResolveName(AUDIT_ARCH_X86_64, "getpid")).isEqualTo(39);
    assertThat(LibSeccomp.syscallResolveName(AUDIT_ARCH_I386, "getpid")).isEqualTo(20);
  }

  @Test
  void negativeNumbersComeBackNegative() {
    assertThat(LibSeccomp.syscallResolveName("getpid")).isEqualTo(39);
    assertThat(LibSeccomp.syscallResolveName("no_such_syscall")).isEqualTo(LibSeccomp.NR_SCMP_ERROR);
    // socketcall exists on i386 only: a negative pseudo-number on x86-64, not the error
    assertThat(LibSeccomp.syscallResolveName("socketcall")).isNegative().isNotEqualTo(LibSeccomp.NR_SCMP_ERROR);
  }

  @Test
  void aFilterWithA64BitDatumExportsBothHalves() throws Exception {
    MemorySegment ctx = LibSeccomp.init(LibSeccomp.SCMP_ACT_ALLOW);
    assertThat(ctx.address()).isNotZero();
    try {
      assertThat(LibSeccomp.version()).matches("\\d+\\.\\d+\\.\\d+");
      long datum = 0x0000_1234_8765_4321L;
      int rc = LibSeccomp.ruleAddArray(ctx, LibSeccomp.SCMP_ACT_KILL_PROCESS, 39,
          new long[][] {{0, LibSeccomp.SCMP_CMP_EQ, datum, 0}});
      assertThat(rc).isZero();
      byte[] bpf = LibSeccomp.exportBpf(ctx);
      assertThat(bpf.length % 8).isZero();
      // struct sock_filter {u16 code; u8 jt, jf; u32 k}: both halves of the datum are compared
      ByteBuffer b = ByteBuffer.wrap(bpf).order(ByteOrder.nativeOrder());
      boolean high = false, low = false, kill = false;
      for (int i = 0; i < bpf.length; i += 8) {
        int k = b.getInt(i + 4);
        high |= k == 0x1234;
        low |= k == 0x87654321;
        kill |= k == LibSeccomp.SCMP_ACT_KILL_PROCESS;
      }
      assertThat(high).as("high half").isTrue();
      assertThat(low).as("low half").isTrue();
      assertThat(kill).as("KILL_PROCESS action").isTrue();
    } finally {
      LibSeccomp.release(ctx);
    }
  }
}
