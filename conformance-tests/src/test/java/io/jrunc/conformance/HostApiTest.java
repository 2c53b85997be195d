package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.api.Container;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.CreateOptions;
import io.jrunc.core.api.Stdio;
import io.jrunc.core.api.host.ChildReaper;
import io.jrunc.core.api.host.HostFd;
import io.jrunc.core.api.host.Terminal;
import io.jrunc.testsupport.RequiresRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code io.jrunc.core.api.host} as a supervisor (the containerd shim) uses it, through
 * exported classes only: a detached container on a terminal whose master the caller receives,
 * reads, writes and resizes itself, and its exit code from the {@link ChildReaper}. Checked
 * from inside the container ({@code stty size}, the line it read).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@RequiresRoot("runs a container with namespaces and a cgroup")
class HostApiTest {
  @TempDir Path tmp;

  @Test
  void aSupervisorReceivesResizesAndReadsTheTerminalAndReapsTheExitCode() throws Exception {
    String id = "shimapi-term-" + ProcessHandle.current().pid();
    Bundle b = Bundle.busybox(tmp.resolve("b")).cgroup(id)
        .sh("stty size; read line; echo got $line; stty size; exit 7");
    b.process().put("terminal", true);
    ContainerRuntime rt = ContainerRuntime.open(tmp.resolve("state"));
    Stdio.ToFile devNull = new Stdio.ToFile(Path.of("/dev/null"));
    try (ChildReaper reaper = ChildReaper.start(false); Terminal t = Terminal.prepare()) {
      Container c = rt.create(id, CreateOptions.bundle(b.write()).withDetach(true)
          .withStdio(new Stdio(devNull, devNull, devNull)).withConsoleFd(t.consoleFd()));
      try {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        reaper.watch(c.pid(), exit::complete);
        t.receive();
        t.resize(100, 30);
        try (HostFd master = t.master()) {
          c.start();
          StringBuilder screen = new StringBuilder();
          readUntil(master, screen, "30 100");
          t.resize(120, 40);
          master.write("hi\r".getBytes(StandardCharsets.UTF_8), 0, 3);
          readUntil(master, screen, "40 120");
          assertThat(screen.toString()).contains("got hi");
          assertThat(exit.get(10, TimeUnit.SECONDS)).as("exit code from the reaper").isEqualTo(7);
          // the rest of the output, then -1 (EIO: the container's side of the pty is gone), no exception
          byte[] buf = new byte[4096];
          while (master.read(buf) >= 0) {
            // drain
          }
        }
      } finally {
        c.delete(true);
      }
    }
  }

  private static void readUntil(HostFd fd, StringBuilder seen, String want) throws Exception {
    byte[] buf = new byte[4096];
    long deadline = System.currentTimeMillis() + 10_000;
    while (!seen.toString().contains(want)) {
      assertThat(System.currentTimeMillis()).as("waiting for \"" + want + "\" in " + seen).isLessThan(deadline);
      if (!fd.awaitReadable(200)) continue;
      int n = fd.read(buf);
      assertThat(n).as("EOF before \"" + want + "\" in " + seen).isPositive();
      seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
    }
  }
}
