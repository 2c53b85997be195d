package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrunc.core.sys.Libc;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an exec'd process is, seen from inside it: its process group and session, its cgroups. */
class ExecProcessTest {
  @TempDir Path tmp;

  @BeforeEach
  void needsRoot() {
    assumeTrue(Libc.geteuid() == 0, "needs root: runs containers with cgroups");
  }

  private Jrunc jrunc() {
    return new Jrunc(tmp.resolve("root"));
  }

  private static String id(String what) {
    return "exec-proc-" + what + "-" + ProcessHandle.current().pid();
  }

  @Test
  void anExecWithoutTerminalLeadsItsOwnProcessGroupAndSession() throws Exception {
    Jrunc j = jrunc();
    String id = id("pgrp");
    Path bundle = Bundle.busybox(tmp.resolve("b")).args("sleep", "100").write();
    try {
      assertThat(j.run("run", "-d", "--bundle", bundle.toString(), id).exit()).isZero();
      // /proc/self/stat: pid (comm) state ppid pgrp session ...; cat is the exec'd process itself
      var e = j.run("exec", id, "cat", "/proc/self/stat");
      assertThat(e.exit()).as(e.toString()).isZero();
      String[] f = e.out().split(" ");
      assertThat(f[4]).as("pgrp of " + e.out()).isEqualTo(f[0]);
      assertThat(f[5]).as("session of " + e.out()).isEqualTo(f[0]);
      // a shell's job control works: getpgrp() is its own pid, not 0
      var sh = j.run("exec", id, "sh", "-c", "ps -o pid,pgid | grep \"^ *$$ \"");
      String[] pidPgid = sh.out().trim().split("\\s+");
      assertThat(pidPgid).as(sh.toString()).hasSize(2);
      assertThat(pidPgid[1]).as(sh.toString()).isEqualTo(pidPgid[0]);
    } finally {
      j.run("delete", "--force", id);
    }
  }
}
