package io.jrunc.core.cgroup.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.spec.LinuxCPU;
import io.jrunc.spec.LinuxMemory;
import io.jrunc.spec.LinuxResources;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The unit properties the systemd driver sends for a config's limits, as runc sends them. */
class SystemdPropertiesTest {

  private static String names(LinuxResources r, boolean base, boolean newer) {
    DBusWriter w = new DBusWriter();
    SystemdManager.unitLimits(w, r, base, newer);
    // property names are D-Bus strings in the body: enough to see which were sent
    return new String(w.toByteArray(), StandardCharsets.ISO_8859_1).replaceAll("[^A-Za-z]+", " ");
  }

  @Test
  void cpusetListsBecomeLittleEndianBitmasks() {
    assertThat(SystemdManager.cpusetMask("0-3,8")).containsExactly(0x0f, 0x01);
    assertThat(SystemdManager.cpusetMask("1")).containsExactly(0x02);
    assertThat(SystemdManager.cpusetMask("0-1,15")).containsExactly(0x03, 0x80);
    assertThat(SystemdManager.cpusetMask(null)).isNull();
    assertThat(SystemdManager.cpusetMask("")).isNull();
    assertThat(SystemdManager.cpusetMask("a")).isNull();
    assertThat(SystemdManager.cpusetMask("3-1")).isNull();
  }

  @Test
  void limitsSentAsRuncSendsThemWithTheNewerOnesApart() {
    LinuxResources r = new LinuxResources(null,
        new LinuxMemory(33554432L, 25165824L, null, null, null, null, null, null, null),
        new LinuxCPU(null, null, null, 1000000L, null, null, "0", "0", null),
        null, null, null, null, null, null);
    String all = names(r, true, true);
    assertThat(all).contains("MemoryMax", "MemoryLow", "CPUQuotaPerSecUSec", "CPUQuotaPeriodUSec",
        "AllowedCPUs", "AllowedMemoryNodes");
    String base = names(r, true, false);
    assertThat(base).contains("MemoryMax", "MemoryLow", "CPUQuotaPerSecUSec")
        .doesNotContain("CPUQuotaPeriodUSec", "AllowedCPUs", "AllowedMemoryNodes");
    assertThat(names(r, false, true)).doesNotContain("MemoryMax").contains("AllowedCPUs");
    // update --memory -1: no memory limit and, with no swap given, no swap limit either
    LinuxResources unlimited = new LinuxResources(null,
        new LinuxMemory(-1L, null, null, null, null, null, null, null, null), null, null, null, null, null, null, null);
    assertThat(names(unlimited, true, false)).contains("MemoryMax", "MemorySwapMax");
    assertThat(names(r, true, false)).doesNotContain("MemorySwapMax");
  }
}
