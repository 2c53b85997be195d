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
}
