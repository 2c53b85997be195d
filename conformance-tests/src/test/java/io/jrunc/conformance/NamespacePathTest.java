package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrunc.testsupport.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Joining another container's namespaces by path (pod-style sharing), pid included. */
@RequiresRoot("makes namespaces and runs containers that join them")
class NamespacePathTest {
  @TempDir Path tmp;

  @Test
  void secondContainerJoinsTheFirstsNamespaces() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle a = Bundle.busybox(tmp.resolve("a")).args("sleep", "100");
    a.config.put("hostname", "pod-a");
    assertThat(j.run("run", "-d", "--bundle", a.write().toString(), "a").exit()).isZero();
    try {
      int pidA = Bundle.node(j.run("state", "a").out()).get("pid").asInt();
      Bundle b = Bundle.busybox(tmp.resolve("b")).sh("hostname; ps -o args | grep -c '^sleep 100'; for n in pid net uts; do readlink /proc/self/ns/$n; done");
      ArrayNode ns = (ArrayNode) b.linux().get("namespaces");
      for (int i = 0; i < ns.size(); i++) {
        ObjectNode n = (ObjectNode) ns.get(i);
        String t = n.get("type").asText();
        String proc = switch (t) {
          case "pid" -> "pid";
          case "network" -> "net";
          case "ipc" -> "ipc";
          case "uts" -> "uts";
          default -> null;
        };
        if (proc != null) n.put("path", "/proc/" + pidA + "/ns/" + proc);
      }
      b.config.remove("hostname"); // the uts namespace is shared: setting a name would change a's
      var r = j.run("run", "--bundle", b.write().toString(), "b");
      assertThat(r.exit()).as(r.toString()).isZero();
      String[] lines = r.out().split("\n");
      assertThat(lines[0]).isEqualTo("pod-a");
      assertThat(lines[1]).isEqualTo("1"); // a's sleep is visible: same pid namespace
      assertThat(lines[2]).isEqualTo(Files.readSymbolicLink(Path.of("/proc/" + pidA + "/ns/pid")).toString());
      assertThat(lines[3]).isEqualTo(Files.readSymbolicLink(Path.of("/proc/" + pidA + "/ns/net")).toString());
      assertThat(lines[4]).isEqualTo(Files.readSymbolicLink(Path.of("/proc/" + pidA + "/ns/uts")).toString());
    } finally {
      j.run("delete", "--force", "a");
    }
  }

  /**
   * A container that joins another's user namespace by path and creates the rest (the pod
   * pattern of one shared user namespace): its new namespaces belong to the joined user
   * namespace, so its root may set the hostname, bring lo up and mount (all failed with EPERM
   * when they were made in the clone, in the host's user namespace), and it is pid 1 of a new
   * pid namespace. An exec joins it all.
   */
  @Test
  void aJoinedUserNamespaceOwnsTheNamespacesMadeInIt() throws Exception {
    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle a = inUserNamespace(Bundle.busybox(tmp.resolve("a")).args("sleep", "100"));
    assertThat(j.run("run", "-d", "--bundle", a.write().toString(), "ua").exit()).isZero();
    try {
      int pidA = Bundle.node(j.run("state", "ua").out()).get("pid").asInt();
      Bundle b = inUserNamespace(Bundle.busybox(tmp.resolve("b"))
          .sh("hostname; echo $$; ip link show lo | grep -c ',UP'; for n in user uts; do readlink /proc/self/ns/$n; done; sleep 100"));
      for (var n : b.linux().get("namespaces")) {
        if (n.get("type").asText().equals("user")) ((ObjectNode) n).put("path", "/proc/" + pidA + "/ns/user");
      }
      b.config.put("hostname", "in-joined");
      Path out = tmp.resolve("b.out");
      var r = j.runInBashRaw("\"$0\" --root \"$1\" run -d --bundle " + b.write() + " ub > " + out + " 2>&1");
      assertThat(r.exit()).as(r + Files.readString(out)).isZero();
      for (int i = 0; i < 100 && Files.readString(out).split("\n").length < 5; i++) Thread.sleep(20);
      String[] lines = Files.readString(out).split("\n");
      assertThat(lines).as(Files.readString(out)).hasSizeGreaterThanOrEqualTo(5);
      assertThat(lines[0]).isEqualTo("in-joined");
      assertThat(lines[1]).isEqualTo("1");
      assertThat(lines[2]).isEqualTo("1");
      assertThat(lines[3]).isEqualTo(Files.readSymbolicLink(Path.of("/proc/" + pidA + "/ns/user")).toString());
      assertThat(lines[4]).isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/" + pidA + "/ns/uts")).toString());
      var e = j.run("exec", "ub", "sh", "-c", "hostname; readlink /proc/self/ns/user");
      assertThat(e.out()).as(e.toString()).isEqualTo("in-joined\n" + lines[3] + "\n");
      assertThat(j.run("delete", "--force", "ub").exit()).isZero();
    } finally {
      j.run("delete", "--force", "ub");
      j.run("delete", "--force", "ua");
    }
  }

  /**
   * A container with a new user namespace that joins a network namespace the runtime's user
   * namespace owns (another container's, made without one): joined before init unshares its
   * user namespace, as runc's nsexec does. From inside the new one, setns was refused (EPERM).
   */
  @Test
  void aNewUserNamespaceJoinsANetworkNamespaceOfTheHostsUserNamespace() throws Exception {
    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle a = Bundle.busybox(tmp.resolve("a")).args("sleep", "100");
    assertThat(j.run("run", "-d", "--bundle", a.write().toString(), "na").exit()).isZero();
    try {
      int pidA = Bundle.node(j.run("state", "na").out()).get("pid").asInt();
      Bundle b = inUserNamespace(Bundle.busybox(tmp.resolve("b")).sh("readlink /proc/self/ns/net; cat /proc/self/uid_map"))
          .withoutNamespace("network").addNamespace("network", "/proc/" + pidA + "/ns/net");
      var r = j.run("run", "--bundle", b.write().toString(), "nb");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out().lines().findFirst().orElse(""))
          .isEqualTo(Files.readSymbolicLink(Path.of("/proc/" + pidA + "/ns/net")).toString());
      assertThat(r.out()).containsPattern("\\s0\\s+100000\\s+65536");
    } finally {
      j.run("delete", "--force", "na");
    }
  }

  /**
   * runc's "userns join external namespaces [wrong userns owner]": a container that joins one
   * container's user namespace and another's network namespace, which the host's user namespace
   * owns. Joined after the user namespace the network one was refused (EPERM: no capability over
   * it in there); it is joined first now. An exec into it joins the same two the same way.
   */
  @Test
  void aJoinedUserNamespaceWithANetworkNamespaceItDoesNotOwn() throws Exception {
    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle u = inUserNamespace(Bundle.busybox(tmp.resolve("u")).args("sleep", "100"));
    Bundle n = Bundle.busybox(tmp.resolve("n")).args("sleep", "100");
    assertThat(j.run("run", "-d", "--bundle", u.write().toString(), "wu").exit()).isZero();
    assertThat(j.run("run", "-d", "--bundle", n.write().toString(), "wn").exit()).isZero();
    try {
      String user = "/proc/" + Bundle.node(j.run("state", "wu").out()).get("pid").asInt() + "/ns/user";
      String net = "/proc/" + Bundle.node(j.run("state", "wn").out()).get("pid").asInt() + "/ns/net";
      Bundle b = inUserNamespace(Bundle.busybox(tmp.resolve("b")).args("sleep", "100"))
          .withoutNamespace("network").addNamespace("network", net);
      joinUserNamespace(b, user);
      var r = j.run("run", "-d", "--bundle", b.write().toString(), "wb");
      assertThat(r.exit()).as(r.toString()).isZero();
      var e = j.run("exec", "wb", "sh", "-c", "readlink /proc/self/ns/user; readlink /proc/self/ns/net");
      assertThat(e.exit()).as(e.toString()).isZero();
      assertThat(e.out()).isEqualTo(Files.readSymbolicLink(Path.of(user)) + "\n" + Files.readSymbolicLink(Path.of(net)) + "\n");
    } finally {
      j.run("delete", "--force", "wb");
      j.run("delete", "--force", "wn");
      j.run("delete", "--force", "wu");
    }
  }

  /**
   * runc's bats "idmap mount with implied mapping and joined userns": an idmap bind without
   * mappings of its own, in a container that joins a user namespace by path and has no
   * linux.uidMappings, takes the joined namespace's mapping (refused before: "needs
   * linux.uidMappings"). A file the host sees as 100:211 is 100:211 inside too.
   */
  @Test
  void anIdmapMountWithoutMappingsTakesTheJoinedUserNamespaces() throws Exception {
    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Path src = Files.createDirectories(tmp.resolve("src"));
    Path foo = Files.writeString(src.resolve("foo.txt"), "x");
    Files.setAttribute(foo, "unix:uid", 100);
    Files.setAttribute(foo, "unix:gid", 211);
    Bundle a = inUserNamespace(Bundle.busybox(tmp.resolve("a")).args("sleep", "100"));
    assertThat(j.run("run", "-d", "--bundle", a.write().toString(), "ia").exit()).isZero();
    try {
      String user = "/proc/" + Bundle.node(j.run("state", "ia").out()).get("pid").asInt() + "/ns/user";
      Bundle b = inUserNamespace(Bundle.busybox(tmp.resolve("b")).args("stat", "-c", "=%u=%g=", "/tmp/m/foo.txt"));
      joinUserNamespace(b, user);
      ObjectNode m = ((ArrayNode) b.config.get("mounts")).addObject().put("source", src.toString()).put("destination", "/tmp/m");
      m.putArray("options").add("rbind").add("idmap");
      var r = j.run("run", "--bundle", b.write().toString(), "ib");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).isEqualTo("=100=211=\n");
    } finally {
      j.run("delete", "--force", "ia");
    }
  }

  /**
   * A hostname set in a UTS namespace joined by a path to the runtime's own would rename the
   * host: refused before anything is made, the host's name unchanged.
   */
  @Test
  void aHostnameInTheHostsUtsNamespaceIsRefused() throws Exception {
    String before = Files.readString(Path.of("/proc/sys/kernel/hostname"));
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("h")).args("true").withoutNamespace("uts").addNamespace("uts", "/proc/self/ns/uts");
    b.config.put("hostname", "renamed-by-a-container");
    var r = j.run("run", "--bundle", b.write().toString(), "uts-host");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("/hostname: setting it in the host's UTS namespace is not allowed");
    assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname"))).isEqualTo(before);
    assertThat(j.run("list", "-q").out()).isEmpty();
  }

  /** Joins the user namespace at {@code path} instead, with no maps of its own (runc's bats do the same). */
  private static void joinUserNamespace(Bundle b, String path) {
    for (var ns : b.linux().get("namespaces")) {
      if (ns.get("type").asText().equals("user")) ((ObjectNode) ns).put("path", path);
    }
    b.linux().remove("uidMappings");
    b.linux().remove("gidMappings");
  }

  /** Its own user namespace (ids 100000-165535), its rootfs theirs, /sys bound from the host. */
  private static Bundle inUserNamespace(Bundle b) throws Exception {
    b.inUserNamespace(100000);
    for (var m : b.config.get("mounts")) {
      if (m.get("destination").asText().equals("/sys")) {
        ((ObjectNode) m).put("type", "none").put("source", "/sys").putArray("options").add("rbind").add("nosuid").add("noexec").add("nodev").add("ro");
      }
    }
    return b;
  }
}
