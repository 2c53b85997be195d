package io.jrunc.core.container;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.process.ProcessStdio;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.ProgramBuilder.PlannedCall;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.state.StateStore;
import io.jrunc.core.sys.Arch;
import io.jrunc.core.sys.Clone;
import io.jrunc.core.sys.Mount;
import io.jrunc.core.sys.Prctl;
import io.jrunc.core.sys.Sys;
import io.jrunc.spec.DefaultSpecs;
import io.jrunc.spec.Json;
import io.jrunc.spec.LinuxNamespace;
import io.jrunc.spec.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The init program create plans, checked by system call and argument (not by the sentences
 * that describe the steps): runc's default spec through create's validate and plan stages
 * ({@link CreatePlanner}), compiled over stand-in descriptors as {@code ContainerRuntime.plan}
 * does. No root, nothing made on the host.
 */
class InitProgramTest {
  private static final int FIFO = 77;
  private static final Arch ARCH = Arch.current();

  @TempDir Path tmp;

  /** The calls of the init program of runc's default spec edited by {@code edit}, with its builder for reading memory. */
  private record Planned(List<PlannedCall> calls, ProgramBuilder builder, Map<String, Integer> joinFds) {
    List<PlannedCall> of(Sys sys) {
      return calls.stream().filter(c -> c.nr() == ARCH.nr(sys)).toList();
    }

    int first(Sys sys) {
      return calls.stream().filter(c -> c.nr() == ARCH.nr(sys)).mapToInt(PlannedCall::index).findFirst().orElse(-1);
    }

    String string(long address) {
      return builder.stringAt(address);
    }
  }

  private <T> T withPlan(UnaryOperator<Spec> edit, java.util.function.Function<Planned, T> check) throws Exception {
    Path bundle = tmp.resolve("b");
    Files.createDirectories(bundle.resolve("rootfs/bin"));
    Path sh = bundle.resolve("rootfs/bin/sh");
    if (!Files.exists(sh)) Files.createFile(sh).toFile().setExecutable(true);
    Spec spec = DefaultSpecs.runcDefault();
    spec = edit.apply(spec.withProcess(spec.process().withTerminal(false)));
    Files.writeString(bundle.resolve("config.json"), Json.writePretty(spec));
    Lifecycle lc = new Lifecycle(new StateStore(tmp.resolve("state")));
    try (CreatePlan plan = CreatePlanner.plan(lc, "pipeline-unit", new CreateRequest(bundle, null, null, false, false, 0, ProcessStdio.inherit(), false, null, -1, true));
        SpawnChannel ch = new SpawnChannel();
        ProgramBuilder b = new ProgramBuilder()) {
      // the namespace fds as CreateResources opens them: in the plan's order, one stand-in each
      Map<String, Integer> joins = new LinkedHashMap<>();
      int fd = 100;
      for (String type : plan.namespaces().joins().keySet()) joins.put(type, fd++);
      InitSpawn.compile(plan, b, new InitSpawn.Fds(joins, ch, FIFO, new int[] {-1, -1, -1}, -1, plan.rootfsSetup()));
      return check.apply(new Planned(b.calls(), b, joins));
    }
  }

  @Test
  void hostnameIsSetWithItsLength() throws Exception {
    withPlan(s -> s.withHostname("pipeline-host"), p -> {
      assertThat(p.of(Sys.SETHOSTNAME)).hasSize(1);
      PlannedCall c = p.of(Sys.SETHOSTNAME).getFirst();
      assertThat(p.string(c.args()[0])).isEqualTo("pipeline-host");
      assertThat(c.args()[1]).isEqualTo(13);
      return null;
    });
  }

  @Test
  void joinedNamespacesAreEnteredUserFirstMountLastWhateverTheConfigOrder() throws Exception {
    withPlan(s -> {
      List<LinuxNamespace> ns = new ArrayList<>();
      ns.add(new LinuxNamespace("network", "/proc/self/ns/net"));
      ns.add(new LinuxNamespace("mount", null));
      ns.add(new LinuxNamespace("ipc", "/proc/self/ns/ipc"));
      ns.add(new LinuxNamespace("pid", null));
      ns.add(new LinuxNamespace("uts", null));
      return s.withLinux(s.linux().withNamespaces(ns));
    }, p -> {
      List<PlannedCall> setns = p.of(Sys.SETNS);
      assertThat(setns).extracting(c -> c.args()[1]).containsExactly((long) Clone.CLONE_NEWIPC, Clone.CLONE_NEWNET);
      assertThat(setns).extracting(c -> c.args()[0])
          .containsExactly((long) p.joinFds().get("ipc"), (long) p.joinFds().get("network"));
      // joins come before anything that depends on them: the first mount
      assertThat(setns.getLast().index()).isLessThan(p.first(Sys.MOUNT));
      return null;
    });
  }

  @Test
  void rootPropagationPivotAndOldRootUnmount() throws Exception {
    withPlan(UnaryOperator.identity(), p -> {
      PlannedCall slave = p.of(Sys.MOUNT).getFirst();
      assertThat(slave.args()[0]).isZero();
      assertThat(p.string(slave.args()[1])).isEqualTo("/");
      assertThat(slave.args()[3]).isEqualTo((long) (Mount.MS_SLAVE | Mount.MS_REC)); // runc's default rslave
      PlannedCall pivot = p.of(Sys.PIVOT_ROOT).getFirst();
      assertThat(List.of(p.string(pivot.args()[0]), p.string(pivot.args()[1]))).containsExactly(".", ".");
      PlannedCall umount = p.of(Sys.UMOUNT2).getFirst();
      assertThat(umount.args()[1]).isEqualTo(2L); // MNT_DETACH
      assertThat(umount.index()).isGreaterThan(pivot.index());
      return null;
    });
  }

  @Test
  void rlimitsUserAndCapabilitiesInRuncsOrder() throws Exception {
    withPlan(UnaryOperator.identity(), p -> {
      // RLIMIT_NOFILE 1024/1024 from the default spec: prlimit64(0, 7, {soft, hard}, NULL)
      PlannedCall rl = p.of(Sys.PRLIMIT64).getFirst();
      assertThat(rl.args()[0]).isZero();
      assertThat(rl.args()[1]).isEqualTo(7L);
      assertThat(p.builder().at(rl.args()[2], 16).get(JAVA_LONG, 0)).isEqualTo(1024L);
      assertThat(p.builder().at(rl.args()[2], 16).get(JAVA_LONG, 8)).isEqualTo(1024L);
      // the bounding set keeps exactly CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29)
      List<Long> dropped = p.of(Sys.PRCTL).stream().filter(c -> c.args()[0] == Prctl.PR_CAPBSET_DROP)
          .map(c -> c.args()[1]).toList();
      List<Long> expected = IntStream.rangeClosed(0, 40).filter(n -> n != 5 && n != 10 && n != 29)
          .mapToObj(n -> (long) n).toList();
      assertThat(dropped).containsExactlyElementsOf(expected);
      // capset(header, data): v3 header, effective = permitted = 0x20000420, inheritable 0
      PlannedCall capset = p.of(Sys.CAPSET).getFirst();
      assertThat(p.builder().at(capset.args()[0], 8).get(JAVA_INT, 0)).isEqualTo(0x20080522);
      var data = p.builder().at(capset.args()[1], 24);
      assertThat(List.of(data.get(JAVA_INT, 0), data.get(JAVA_INT, 4), data.get(JAVA_INT, 8)))
          .containsExactly(0x20000420, 0x20000420, 0);
      assertThat(List.of(data.get(JAVA_INT, 12), data.get(JAVA_INT, 16), data.get(JAVA_INT, 20)))
          .containsExactly(0, 0, 0);
      // groups, gid, uid, then capset; no_new_privs after the user switch
      int groups = p.first(Sys.SETGROUPS), gid = p.first(Sys.SETRESGID), uid = p.first(Sys.SETRESUID);
      int nnp = p.of(Sys.PRCTL).stream().filter(c -> c.args()[0] == Prctl.PR_SET_NO_NEW_PRIVS && c.args()[1] == 1)
          .mapToInt(PlannedCall::index).findFirst().orElse(-1);
      assertThat(List.of(p.first(Sys.PRLIMIT64), groups, gid, uid, capset.index(), nnp)).isSorted()
          .doesNotContain(-1);
      return null;
    });
  }

  @Test
  void waitsOnTheFifoThenExecsTheResolvedExecutable() throws Exception {
    withPlan(s -> s.withProcess(s.process().withArgs(List.of("sh", "-c", "true"))), p -> {
      PlannedCall exec = p.calls().getLast();
      assertThat(exec.nr()).isEqualTo(ARCH.nr(Sys.EXECVE));
      assertThat(p.string(exec.args()[0])).isEqualTo("/bin/sh");
      long argv = exec.args()[1];
      assertThat(List.of(0, 1, 2).stream().map(i -> p.string(p.builder().at(argv + 8L * i, 8).get(JAVA_LONG, 0))))
          .containsExactly("sh", "-c", "true");
      PlannedCall wait = p.calls().get(p.calls().size() - 2);
      assertThat(wait.nr()).isEqualTo(ARCH.nr(Sys.READ));
      assertThat(wait.args()[0]).isEqualTo(FIFO);
      assertThat(p.builder().inherited()).contains(FIFO);
      return null;
    });
  }
}
