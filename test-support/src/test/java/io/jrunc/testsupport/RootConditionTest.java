package io.jrunc.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the gate reads from proc(5) {@code /proc/self/status}: effective uid 0 and CAP_SYS_ADMIN. */
class RootConditionTest {
  private static String status(String uid, String capEff) {
    return "Name:\tjava\nUmask:\t0022\nState:\tR (running)\nUid:\t" + uid + "\nGid:\t0\t0\t0\t0\n"
        + "CapInh:\t0000000000000000\nCapPrm:\t" + capEff + "\nCapEff:\t" + capEff + "\n";
  }

  @Test
  void rootWithAllCapabilitiesIsRoot() {
    assertThat(RootCondition.missingRoot(status("0\t0\t0\t0", "000001ffffffffff"))).isNull();
  }

  @Test
  void theEffectiveUidCountsNotTheRealOne() {
    assertThat(RootCondition.missingRoot(status("1000\t0\t0\t0", "000001ffffffffff"))).isNull();
    assertThat(RootCondition.missingRoot(status("0\t65534\t65534\t65534", "0000000000000000")))
        .isEqualTo("this JVM runs as uid 65534");
  }

  @Test
  void rootWithoutSysAdminIsNotEnough() {
    // docker's default set: chown, dac_override, fowner, fsetid, kill, setgid, setuid, setpcap,
    // net_bind_service, net_raw, sys_chroot, mknod, audit_write, setfcap
    assertThat(RootCondition.missingRoot(status("0\t0\t0\t0", "00000000a80425fb")))
        .isEqualTo("uid 0 without CAP_SYS_ADMIN, effective capabilities 00000000a80425fb");
  }

  @Test
  void anUnreadableStatusIsSaidSo() {
    assertThat(RootCondition.missingRoot("Name:\tjava\n")).isEqualTo("no Uid or CapEff line in /proc/self/status");
  }
}
