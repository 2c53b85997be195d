package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.api.Container;
import io.jrunc.core.api.ContainerProcess;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.CreateOptions;
import io.jrunc.core.api.ExecOptions;
import io.jrunc.core.api.InvalidStateException;
import io.jrunc.core.api.Stdio;
import io.jrunc.spec.Json;
import io.jrunc.spec.Process;
import io.jrunc.testsupport.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** exec through the Java API: the new process is in init's namespaces, with the env/user/cwd asked for. */
@RequiresRoot("runs containers with namespaces and cgroups")
class ApiExecTest {
  @TempDir Path tmp;

  @Test
  void execJoinsEveryNamespaceOfInit() throws Exception {
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("sleep", "60");
    b.config.put("hostname", "exec-host");
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    String id = "api-exec-" + ProcessHandle.current().pid();
    Container c = rt.create(id, CreateOptions.bundle(b.write()));
    try {
      c.start();
      Process base = Json.read(Files.readAllBytes(b.dir.resolve("config.json")), io.jrunc.spec.Spec.class).process();
      Process p = new Process(false, null, new io.jrunc.spec.User(65534L, 65534L, null, null, null),
          List.of("sh", "-c", "echo $(hostname) $(id -u):$(id -g) $(pwd) $FOO; for n in ipc mnt net pid uts; do readlink /proc/self/ns/$n; done; exit 5"),
          null, List.of("PATH=/bin", "FOO=bar"), "/tmp", base.capabilities(), null, true, null, null, null, null, null, null);
      ContainerProcess e = c.exec(p, ExecOptions.defaults().withStdio(Stdio.pipes()));
      String out = new String(e.stdout().readAllBytes());
      assertThat(e.waitFor()).isEqualTo(5);
      String[] lines = out.split("\n");
      assertThat(lines[0]).isEqualTo("exec-host 65534:65534 /tmp bar");
      String[] types = {"ipc", "mnt", "net", "pid", "uts"};
      for (int i = 0; i < types.length; i++) {
        assertThat(lines[1 + i]).isEqualTo(Files.readSymbolicLink(Path.of("/proc/" + c.pid() + "/ns/" + types[i])).toString());
        assertThat(lines[1 + i]).isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/" + types[i])).toString());
      }
      // a process reading its stdin to the end: it ends once the stream and closeStdin close both writers
      Process cat = base.withArgs(List.of("sh", "-c", "cat; echo end")).withTerminal(false);
      ContainerProcess reader = c.exec(cat, ExecOptions.defaults()
          .withStdio(new Stdio(new Stdio.Pipe(), new Stdio.Pipe(), new Stdio.Inherit())));
      try (var in = reader.stdin()) {
        in.write("fed\n".getBytes());
      }
      reader.closeStdin();
      assertThat(new String(reader.stdout().readAllBytes())).isEqualTo("fed\nend\n");
      assertThat(reader.waitFor()).isZero();
      c.kill(9);
      c.waitFor();
      assertThatThrownBy(() -> c.exec(p, ExecOptions.defaults())).isInstanceOf(InvalidStateException.class)
          .hasMessage("cannot exec in a stopped container");
    } finally {
      c.delete(true);
    }
  }
}
