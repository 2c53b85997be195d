package io.jrunc.core.cgroup.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.spec.LinuxCPU;
import io.jrunc.spec.LinuxMemory;
import io.jrunc.spec.LinuxResources;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;
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
  private static byte[] body(LinuxResources r, boolean base, boolean newer) {
    DBusWriter w = new DBusWriter();
    SystemdManager.unitLimits(w, r, base, newer);
    return w.toByteArray();
  }

  /**
   * One property as it is marshalled: a struct starts 8-aligned wherever it is in the array, so
   * its bytes are the same at any position of the body.
   */
  private static byte[] prop(String name, String sig, Consumer<DBusWriter> value) {
    DBusWriter w = new DBusWriter();
    SystemdManager.prop(w, name, sig, value);
    return w.toByteArray();
  }

  private static byte[] u64(String name, long v) {
    return prop(name, "t", x -> x.u64(v));
  }

  private static int indexOf(byte[] body, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= body.length; i++) {
      for (int j = 0; j < part.length; j++) if (body[i + j] != part[j]) continue outer;
      return i;
    }
    return -1;
  }

  private static LinuxResources unified(Map<String, String> files) {
    return new LinuxResources(null, null, null, null, null, null, null, null, files);
  }

  @Test
  void unifiedFilesSystemdKnowsAreSentAsTheirPropertiesAndTheRestOnlyWritten() {
    LinuxResources r = unified(Map.of("memory.min", "1048576", "memory.high", " max\n", "pids.max", "20",
        "cpu.weight", "50", "cpu.max", "50000", "cpuset.cpus", "0-1", "io.weight", "default 100",
        "memory.low", "lots"));
    byte[] all = body(r, true, true);
    assertThat(indexOf(all, u64("MemoryMin", 1048576))).isNotNegative();
    assertThat(indexOf(all, u64("MemoryHigh", -1L))).as("max is infinity, blanks trimmed").isNotNegative();
    assertThat(indexOf(all, u64("TasksMax", 20))).isNotNegative();
    assertThat(indexOf(all, u64("CPUWeight", 50))).isNotNegative();
    assertThat(indexOf(all, u64("CPUQuotaPerSecUSec", 500_000))).as("half a CPU: 500 ms a second").isNotNegative();
    assertThat(indexOf(all, u64("CPUQuotaPeriodUSec", 100_000))).as("the kernel's default period").isNotNegative();
    assertThat(indexOf(all, prop("AllowedCPUs", "ay", x -> {
      int[] a = x.beginArray(1);
      x.byte_(0x03);
      x.endArray(a);
    }))).isNotNegative();
    // io.weight has no property; a value that does not parse is left to the file write
    assertThat(names(r, true, true)).doesNotContain("IOWeight", "MemoryLow");
    // a null value (a document's "cpu.max": null) is left to the file write, which names it
    java.util.Map<String, String> nulls = new java.util.HashMap<>();
    nulls.put("cpu.max", null);
    nulls.put("pids.max", null);
    assertThat(body(unified(nulls), true, true)).isEmpty();
    // cpuset and the period are systemd 242/244's: not in the set an older systemd gets
    assertThat(names(r, true, false)).contains("MemoryMin", "CPUQuotaPerSecUSec")
        .doesNotContain("AllowedCPUs", "CPUQuotaPeriodUSec");
  }

  @Test
  void aUnifiedValueComesAfterTheFieldOfTheSameMeaningSoSystemdKeepsIt() {
    LinuxResources r = new LinuxResources(null,
        new LinuxMemory(33554432L, null, null, null, null, null, null, null, null), null, null, null, null, null, null,
        Map.of("memory.max", "max", "cpu.max", "max 200000"));
    byte[] all = body(r, true, true);
    int field = indexOf(all, u64("MemoryMax", 33554432L)), file = indexOf(all, u64("MemoryMax", -1L));
    assertThat(field).isNotNegative();
    assertThat(file).isGreaterThan(field);
    assertThat(indexOf(all, u64("CPUQuotaPerSecUSec", -1L))).as("cpu.max max: no quota").isNotNegative();
    assertThat(indexOf(all, u64("CPUQuotaPeriodUSec", 200_000))).isNotNegative();
  }

  @Test
  void cpuIdleIsWeightZeroForANewerSystemdAndTheSharesWeightOtherwise() {
    LinuxResources r = new LinuxResources(null, null, new LinuxCPU(1024L, null, null, null, null, null, null, null, 1L),
        null, null, null, null, null, null);
    byte[] all = body(r, true, true);
    assertThat(indexOf(all, u64("CPUWeight", 0))).isNotNegative();
    assertThat(indexOf(all, u64("CPUWeight", 100))).as("no weight beside idle, as runc").isNegative();
    byte[] older = body(r, true, false);
    assertThat(indexOf(older, u64("CPUWeight", 0))).isNegative();
    assertThat(indexOf(older, u64("CPUWeight", 100))).isNotNegative();
    LinuxResources file = unified(Map.of("cpu.idle", "1", "cpu.weight", "50"));
    assertThat(indexOf(body(file, true, true), u64("CPUWeight", 0))).isNotNegative();
    assertThat(indexOf(body(file, true, true), u64("CPUWeight", 50))).isNegative();
    assertThat(indexOf(body(file, true, false), u64("CPUWeight", 50))).isNotNegative();
  }
}
