package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.testsupport.RequiresRoot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code linux.netDevices}, seen from inside the container. The host's own network is never
 * touched: each test makes a network namespace ("src") with a veth pair in it and runs jrunc
 * there ({@code nsenter --net}), so src plays the host; deleting src at the end destroys
 * every interface the test made.
 */
@RequiresRoot("makes network devices and moves them into containers")
class NetDevicesTest {
  private static final AtomicInteger N = new AtomicInteger();
  private static final String MAC = "00:11:22:33:44:55";

  @TempDir Path tmp;
  private final List<String> netns = new ArrayList<>();
  private String src;
  private Jrunc j;

  private static String ip(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    if (p.exitValue() != 0) throw new IOException("ip " + String.join(" ", args) + ": " + out);
    return out;
  }

  private String newNetns(String role) throws Exception {
    String name = "jrunc-nd-" + role + "-" + ProcessHandle.current().pid() + "-" + N.incrementAndGet();
    ip("netns", "add", name);
    netns.add(name);
    return name;
  }

  @BeforeEach
  void hostNamespaceWithAVethPair() throws Exception {
    src = newNetns("src");
    ip("-n", src, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ip("-n", src, "link", "set", "v0", "mtu", "1789", "address", MAC);
    ip("-n", src, "addr", "add", "169.254.169.77/32", "dev", "v0");          // global, permanent: kept
    ip("-n", src, "addr", "add", "127.0.0.33/8", "dev", "v0");               // host scope: not kept
    ip("-n", src, "addr", "add", "2001:db8::2/64", "dev", "v0", "nodad");    // IPv6 global: kept
    j = new Jrunc(tmp.resolve("root")).inNetns(Path.of("/run/netns", src));
  }

  @AfterEach
  void deleteNamespaces() throws Exception {
    for (String n : netns) ip("netns", "del", n);
  }

  private Bundle bundle(String id, String devices) throws IOException {
    Bundle b = Bundle.busybox(tmp.resolve(id));
    b.linux().set("netDevices", Bundle.node(devices));
    return b;
  }

  private boolean inSrc(String dev) throws Exception {
    try {
      ip("-n", src, "link", "show", dev);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void deviceIsMovedRenamedUpWithItsGlobalAddressesMtuAndMac() throws Exception {
    Bundle b = bundle("a", "{\"v0\": {\"name\": \"ctr0\"}}").sh("ip -o link show ctr0; ip -o addr show dev ctr0");
    var r = j.run("run", "--bundle", b.write().toString(), "a");
    assertThat(r.exit()).as(r.toString()).isZero();
    String link = r.out().lines().findFirst().orElse("");
    assertThat(link).contains("ctr0", "mtu 1789", MAC).containsPattern("<[^>]*\\bUP\\b[^>]*>");
    assertThat(r.out()).contains("inet 169.254.169.77/32", "inet6 2001:db8::2/64").doesNotContain("127.0.0.33");
    assertThat(inSrc("v0")).isFalse();
    assertThat(j.run("list", "-q").out()).isEmpty();
  }

  /**
   * In a new user namespace init unshares its namespaces itself, after the clone: the device is
   * moved at its report of them, into the network namespace that user namespace owns.
   */
  @Test
  void aNewUserNamespacesNetworkNamespaceGetsTheDevice() throws Exception {
    java.nio.file.Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    Bundle b = bundle("u", "{\"v0\": {\"name\": \"ctr0\"}}").inUserNamespace(100000)
        .sh("ip -o link show ctr0; cat /proc/self/uid_map");
    var r = j.run("run", "--bundle", b.write().toString(), "u");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("ctr0", "mtu 1789", MAC).containsPattern("\\s0\\s+100000\\s+65536");
    assertThat(inSrc("v0")).isFalse();
  }

  @Test
  void aPrecreatedNamespaceKeepsTheDeviceAfterDelete() throws Exception {
    String dst = newNetns("dst");
    Bundle b = bundle("b", "{\"v0\": {}}").args("sleep", "100").withoutNamespace("network")
        .addNamespace("network", "/run/netns/" + dst);
    var r = j.run("run", "-d", "--bundle", b.write().toString(), "b");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(j.run("exec", "b", "ip", "-o", "addr", "show", "dev", "v0").out()).contains("169.254.169.77/32");
    assertThat(j.run("delete", "--force", "b").exit()).isZero();
    // runtime-spec: the namespace's owner decides; the runtime does not move it back
    assertThat(ip("-n", dst, "-o", "link", "show", "v0")).contains("v0", MAC);
    assertThat(inSrc("v0")).isFalse();
  }

  @Test
  void aNameTemplateIsFilledInByTheKernel() throws Exception {
    Bundle b = bundle("c", "{\"v0\": {\"name\": \"eth%d\"}}").sh("ip -o link show eth0");
    var r = j.run("run", "--bundle", b.write().toString(), "c");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("eth0", MAC);
  }

  @Test
  void aTakenNameIsAnErrorAndTheDeviceStaysWhereItWas() throws Exception {
    Bundle b = bundle("d", "{\"v0\": {\"name\": \"lo\"}}").args("true");
    var r = j.run("run", "--bundle", b.write().toString(), "d");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("netDevices: v0", "as \\\"lo\\\"", "EEXIST"); // logfmt escapes the quotes
    assertThat(r.err().lines().filter(l -> l.contains("level=error")).count()).isEqualTo(1);
    assertThat(inSrc("v0")).isTrue();
    assertThat(j.run("list", "-q").out()).isEmpty();
  }

  @Test
  void aMissingDeviceIsAnErrorNamingItAndNothingIsLeft() throws Exception {
    Bundle b = bundle("e", "{\"v0\": {}, \"nope0\": {}}").args("true");
    var r = j.run("run", "--bundle", b.write().toString(), "e");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("netDevices: nope0", "no such device (ENODEV)");
    assertThat(j.run("list", "-q").out()).isEmpty();
  }

  @Test
  void withoutAPrivateNetworkNamespaceNothingIsMoved() throws Exception {
    Bundle none = bundle("f", "{\"v0\": {}}").args("true").withoutNamespace("network");
    var r = j.run("run", "--bundle", none.write().toString(), "f");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("unable to move network devices without a private NET namespace");

    // joining the namespace the runtime runs in is no private namespace either
    Bundle own = bundle("g", "{\"v0\": {}}").args("true").withoutNamespace("network")
        .addNamespace("network", "/run/netns/" + src);
    r = j.run("run", "--bundle", own.write().toString(), "g");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("unable to move network devices without a private NET namespace");
    assertThat(inSrc("v0")).isTrue();
    assertThat(j.run("list", "-q").out()).isEmpty();
  }
}
