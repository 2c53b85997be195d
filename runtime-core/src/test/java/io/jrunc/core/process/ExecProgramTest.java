package io.jrunc.core.process;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.ProgramBuilder.PlannedCall;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.sys.Arch;
import io.jrunc.core.sys.Clone;
import io.jrunc.core.sys.Sys;
import io.jrunc.spec.Process;
import io.jrunc.spec.User;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The program of a process exec'd into a container, checked by system call and argument. */
class ExecProgramTest {
  private static final Arch ARCH = Arch.current();

  private static List<PlannedCall> of(List<PlannedCall> calls, Sys sys) {
    return calls.stream().filter(c -> c.nr() == ARCH.nr(sys)).toList();
  }

  @Test
  void joinsForksIntoThePidNamespaceAndBecomesTheUser() throws Exception {
    Process p = new Process(null, null, new User(1000L, 1001L, null, List.of(5L, 7L), null), List.of("sh", "-c", "id"),
        null, List.of("PATH=/bin"), "/work", null, null, null, null, null, null, null, null, null);
    Map<String, Integer> fds = new LinkedHashMap<>(); // as ContainerExec opens them: Namespaces.JOIN_ORDER
    fds.put("ipc", 101);
    fds.put("network", 102);
    fds.put("pid", 103);
    fds.put("mount", 104);
    Map<String, String> paths = new LinkedHashMap<>();
    fds.keySet().forEach(t -> paths.put(t, "/proc/1/ns/" + Namespaces.procName(t)));
    try (SpawnChannel ch = new SpawnChannel(); ProgramBuilder b = new ProgramBuilder()) {
      ExecPlanner.Planned planned = ExecPlanner.plan(b, new ExecPlanner.Inputs(p, fds, paths, true, ch,
          new int[] {-1, -1, -1}, 0, "/bin/sh", LaunchSupport.NO_EXTRA));
      List<PlannedCall> calls = b.calls();
      List<PlannedCall> setns = of(calls, Sys.SETNS);
      assertThat(setns).extracting(c -> c.args()[0]).containsExactly(101L, 102L, 103L, 104L);
      assertThat(setns).extracting(c -> c.args()[1])
          .containsExactly((long) Clone.CLONE_NEWIPC, Clone.CLONE_NEWNET, (long) Clone.CLONE_NEWPID, (long) Clone.CLONE_NEWNS);
      assertThat(b.inherited()).contains(101, 102, 103, 104);
      // setns(CLONE_NEWPID) only applies to children: the program forks after the joins and the
      // parent side announces the child's pid
      assertThat(planned.announcingStep()).isGreaterThan(setns.getLast().index());
      PlannedCall chdir = of(calls, Sys.CHDIR).getFirst();
      assertThat(b.stringAt(chdir.args()[0])).isEqualTo("/work");
      PlannedCall groups = of(calls, Sys.SETGROUPS).getFirst();
      assertThat(groups.args()[0]).isEqualTo(2L);
      var list = b.at(groups.args()[1], 8);
      assertThat(List.of(list.get(JAVA_INT, 0), list.get(JAVA_INT, 4))).containsExactly(5, 7);
      PlannedCall gid = of(calls, Sys.SETRESGID).getLast(), uid = of(calls, Sys.SETRESUID).getLast();
      assertThat(gid.args()).startsWith(1001L, 1001L, 1001L);
      assertThat(uid.args()).startsWith(1000L, 1000L, 1000L);
      assertThat(List.of(groups.index(), gid.index(), uid.index())).isSorted();
      PlannedCall exec = calls.getLast();
      assertThat(exec.nr()).isEqualTo(ARCH.nr(Sys.EXECVE));
      assertThat(b.stringAt(exec.args()[0])).isEqualTo("/bin/sh");
      long envp = exec.args()[2];
      assertThat(b.stringAt(b.at(envp, 8).get(JAVA_LONG, 0))).isEqualTo("PATH=/bin");
    }
  }
}
