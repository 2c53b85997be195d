package io.jrunc.core.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.failure.Status;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.ProcStat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The status rule against a made-up host: what /proc, the state directory and the freezer say. */
class StatusDerivationTest {
  private static final long STARTED = 987_654L;

  private static ContainerRecord record(int pid) {
    return new ContainerRecord("c1", "/b", "/b/rootfs", pid, STARTED, "2026-01-01T00:00:00Z", "root", Map.of(),
        "1.3.0", Map.of("driver", "cgroupfs"), false, false, true);
  }

  /** A host that answers as told and remembers what it was asked. */
  private static final class FakeHost implements StatusDerivation.Probe {
    ProcStat.Sample stat;
    boolean fifo;
    Boolean frozen; // null: the freezer cannot be read
    final List<String> asked = new ArrayList<>();

    FakeHost(ProcStat.Sample stat, boolean fifo, Boolean frozen) {
      this.stat = stat;
      this.fifo = fifo;
      this.frozen = frozen;
    }

    @Override
    public ProcStat.Sample stat(int pid) {
      asked.add("stat " + pid);
      return stat;
    }

    @Override
    public boolean fifoPresent(String id) {
      asked.add("fifo " + id);
      return fifo;
    }

    @Override
    public boolean frozen(ContainerRecord r) throws CgroupException {
      asked.add("freezer " + r.id());
      if (frozen == null) throw new CgroupException("read freezer.state: no such file or directory (ENOENT)");
      return frozen;
    }
  }

  private static ProcStat.Sample alive() {
    return new ProcStat.Sample('S', STARTED);
  }

  @Test
  void noPidYetIsCreatingAndNothingIsAsked() {
    FakeHost host = new FakeHost(alive(), true, true);
    assertThat(StatusDerivation.derive(record(0), host)).isEqualTo(Status.CREATING);
    assertThat(host.asked).isEmpty();
  }

  @Test
  void initGoneIsStopped() {
    FakeHost host = new FakeHost(null, true, true);
    assertThat(StatusDerivation.derive(record(42), host)).isEqualTo(Status.STOPPED);
    assertThat(host.asked).containsExactly("stat 42"); // a leftover fifo does not make it "created"
  }

  @Test
  void aZombieInitIsStopped() {
    for (char dead : new char[] {'Z', 'X'}) {
      assertThat(StatusDerivation.derive(record(42), new FakeHost(new ProcStat.Sample(dead, STARTED), false, false)))
          .isEqualTo(Status.STOPPED);
    }
  }

  /** The pid was reused by a process that started at another time: not the container's init. */
  @Test
  void aReusedPidIsStopped() {
    FakeHost host = new FakeHost(new ProcStat.Sample('S', STARTED + 1), true, false);
    assertThat(StatusDerivation.derive(record(42), host)).isEqualTo(Status.STOPPED);
  }

  @Test
  void aLiveInitWithItsFifoIsCreated() {
    for (char state : new char[] {'S', 'R', 'D', 'T'}) {
      FakeHost host = new FakeHost(new ProcStat.Sample(state, STARTED), true, false);
      assertThat(StatusDerivation.derive(record(42), host)).isEqualTo(Status.CREATED);
      assertThat(host.asked).containsExactly("stat 42", "freezer c1", "fifo c1");
    }
  }

  /**
   * runc's order: a paused created container is paused (resume and delete --force must thaw
   * it); only kill and start, which do not ask the freezer, see it as created.
   */
  @Test
  void aCreatedAndFrozenContainerIsPaused() {
    FakeHost host = new FakeHost(new ProcStat.Sample('D', STARTED), true, true);
    assertThat(StatusDerivation.derive(record(42), host)).isEqualTo(Status.PAUSED);
    assertThat(host.asked).containsExactly("stat 42", "freezer c1");
    assertThat(StatusDerivation.derive(record(42), new FakeHost(alive(), true, true), StatusDerivation.Freezer.SKIP)).isEqualTo(Status.CREATED);
  }

  private static ContainerRecord withLayout(String layout) {
    return new ContainerRecord("c1", "/b", "/b/rootfs", 42, STARTED, "2026-01-01T00:00:00Z", "root", Map.of(),
        "1.3.0", Map.of("driver", "cgroupfs", "layout", layout), false, false, true);
  }

  /**
   * start's question: on a v1 freezer only an init in 'D' (how the kernel shows a frozen task)
   * is asked about; a v2 freezer's frozen tasks sleep interruptibly, so there it is always asked.
   */
  @Test
  void startAsksTheFreezerOnlyWhereInitMayBeFrozen() {
    var ifFrozen = StatusDerivation.Freezer.IF_INIT_MAY_BE_FROZEN;
    for (String v1 : new String[] {"V1", "HYBRID"}) {
      FakeHost waiting = new FakeHost(new ProcStat.Sample('S', STARTED), true, false);
      assertThat(StatusDerivation.derive(withLayout(v1), waiting, ifFrozen)).isEqualTo(Status.CREATED);
      assertThat(waiting.asked).containsExactly("stat 42", "fifo c1");
      FakeHost frozen = new FakeHost(new ProcStat.Sample('D', STARTED), true, true);
      assertThat(StatusDerivation.derive(withLayout(v1), frozen, ifFrozen)).isEqualTo(Status.PAUSED);
      assertThat(frozen.asked).containsExactly("stat 42", "freezer c1");
    }
    FakeHost v2 = new FakeHost(new ProcStat.Sample('S', STARTED), true, true);
    assertThat(StatusDerivation.derive(withLayout("V2"), v2, ifFrozen)).isEqualTo(Status.PAUSED);
    assertThat(v2.asked).containsExactly("stat 42", "freezer c1");
  }

  @Test
  void startedAndFrozenIsPaused() {
    FakeHost host = new FakeHost(alive(), false, true);
    assertThat(StatusDerivation.derive(record(42), host)).isEqualTo(Status.PAUSED);
    assertThat(host.asked).containsExactly("stat 42", "freezer c1");
  }

  @Test
  void startedAndNotFrozenIsRunning() {
    assertThat(StatusDerivation.derive(record(42), new FakeHost(alive(), false, false)))
        .isEqualTo(Status.RUNNING);
  }

  /** kill's question: paused or running alike, so the freezer (the container's cgroup) is never asked. */
  @Test
  void withoutTheFreezerAFrozenContainerIsRunningAndTheRestIsTheSame() {
    FakeHost host = new FakeHost(alive(), false, true);
    assertThat(StatusDerivation.derive(record(42), host, StatusDerivation.Freezer.SKIP)).isEqualTo(Status.RUNNING);
    assertThat(host.asked).containsExactly("stat 42", "fifo c1");
    assertThat(StatusDerivation.derive(record(0), new FakeHost(alive(), true, true), StatusDerivation.Freezer.SKIP)).isEqualTo(Status.CREATING);
    assertThat(StatusDerivation.derive(record(42), new FakeHost(null, true, true), StatusDerivation.Freezer.SKIP)).isEqualTo(Status.STOPPED);
    assertThat(StatusDerivation.derive(record(42), new FakeHost(alive(), true, true), StatusDerivation.Freezer.SKIP)).isEqualTo(Status.CREATED);
  }

  /** A freezer that cannot be read (no cgroup of its own, a cgroup removed meanwhile) is no reason to fail state. */
  @Test
  void anUnreadableFreezerIsRunning() {
    assertThat(StatusDerivation.derive(record(42), new FakeHost(alive(), false, null)))
        .isEqualTo(Status.RUNNING);
  }
}
